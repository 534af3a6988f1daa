import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../src/referral-model/codes.js';
import { HEADING } from '../../src/referral-model/case-notes.js';
import { referralFact } from '../../src/reports/referral-fact.js';
import { onwardFact } from '../../src/reports/onward-fact.js';
import { saveFacts, saveOnwardFacts } from '../../src/reports/report-store.js';
import { patientResources } from '../../src/sandbox/demo/patients.js';
import type { Db } from '../../src/store/db.js';

/**
 * The identifier scan every report export must pass: what could identify a person or a referral (names, NHS
 * numbers, addresses, dates of birth, phone numbers, record ids, Task and referral keys), none of which may appear
 * in a report page, CSV or MeasureReport.
 */

/** Everything that could identify one of `patients`, plus `extra` (record ids, keys). */
export function identifiersOf(patients: readonly Patient[], extra: readonly string[]): string[] {
  const out = new Set<string>(extra);
  for (const p of patients) {
    for (const n of p.name ?? []) {
      if (n.family && n.family.length > 3) out.add(n.family);
      if (n.family && n.given?.[0]) out.add(`${n.given[0]} ${n.family}`);
    }
    for (const i of p.identifier ?? []) if (i.value) out.add(i.value);
    for (const a of p.address ?? []) {
      if (a.postalCode) out.add(a.postalCode);
      for (const l of a.line ?? []) if (l.length > 6) out.add(l);
    }
    for (const t of p.telecom ?? []) if (t.value) out.add(t.value);
    if (p.birthDate) out.add(p.birthDate);
    if (p.id) out.add(p.id);
  }
  return [...out];
}

/**
 * Captures one live referral from a real demo Patient (name, NHS number, address, Task and ServiceRequest ids) into
 * the report store, as the reconciler does, with an onward referral of it to a community group, and returns every
 * identifier the store's people could be found by: the demo patients' and every referral and onward key in the store.
 */
export async function captureIdentifiableReferral(db: Db): Promise<string[]> {
  const patient = patientResources().find((r): r is Patient & { id: string } => r.resourceType === 'Patient')!;
  const task: Task & { id: string } = {
    resourceType: 'Task', id: 'task-ident-probe-1', status: 'in-progress', intent: 'order', lastModified: new Date().toISOString(),
    note: [{ time: new Date().toISOString().slice(0, 10), text: HEADING.contactMade('Telephone call') }],
  };
  const sr: ServiceRequest & { id: string } = {
    resourceType: 'ServiceRequest', id: 'sr-ident-probe-1', status: 'active', intent: 'order', subject: { reference: `Patient/${patient.id}` },
    requester: { reference: 'PractitionerRole/gp-1-role' }, authoredOn: new Date().toISOString(),
    reasonCode: [{ coding: [{ system: CODE_SYSTEM.need, code: 'housing' }] }],
  };
  const fact = referralFact(task, sr, patient, [], {
    endpointId: 'lw', serviceKey: 'lw', serviceName: 'Fernbridge Community Connect', tenantId: 'demo-practice', practiceName: 'Riverside Medical Practice', practiceOds: 'Y99901',
    pcn: 'Fernbridge Central PCN', imdDecileOf: () => 2,
  });
  await saveFacts(db, [fact]);
  // Its onward referral to a community group, naming the person as the sub-Task does (src/referral-model/onward-referral.ts).
  const name = patient.name?.[0];
  const sub: Task & { id: string } = {
    resourceType: 'Task', id: 'task-ident-probe-onward-1', status: 'rejected', intent: 'order', authoredOn: new Date().toISOString(),
    partOf: [{ reference: `Task/${task.id}` }], for: { reference: `Patient/${patient.id}`, display: `${name?.given?.[0] ?? ''} ${name?.family ?? ''}` },
    owner: { reference: 'Organization/org-fernbridge-leisure', display: 'Fernbridge Leisure Trust' },
    statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: 'service-at-capacity' }] },
    input: [{ type: { coding: [{ system: CODE_SYSTEM.prsbSection, code: 'support-offered' }] }, valueReference: { reference: 'HealthcareService/svc-walking', display: 'Healthy Steps walking group' } }],
  };
  await saveOnwardFacts(db, [onwardFact(sub, 'lw')!]);
  const keys = (await db.query<{ key: string }>('SELECT referral_key AS key FROM report_referrals UNION SELECT onward_key FROM report_onward')).rows.map((r) => r.key);
  const patients = patientResources().filter((r): r is Patient => r.resourceType === 'Patient');
  return identifiersOf(patients, [...keys, task.id, sr.id, sub.id]);
}

/** The identifiers `text` holds: any of `identifiers`, and any NHS number (10 digits) or full UK postcode whatever its source. */
export function identifiersIn(text: string, identifiers: readonly string[]): string[] {
  return [
    ...identifiers.filter((id) => text.includes(id)),
    ...(text.match(/(?<![\d.])\d{10}(?![\d.])/g) ?? []),
    ...(text.match(/\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b/g) ?? []),
  ];
}
