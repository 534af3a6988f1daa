import { validateResource } from '@medplum/core';
import type { HealthcareService, Patient, PractitionerRole, Resource, Task } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { EXTENSION, IDENTIFIER_SYSTEM } from '../../../../src/referral-model/codes.js';
import { nhsNumberIsValid } from '../../../../src/fhir/nhs-number.js';
import { DEMO_IDS, ehrSeed, lwSeed, ODS } from '../../../../src/sandbox/demo/index.js';
import { ensureR4Definitions } from '../../../../src/fhir-server/definitions.js';
import { isStale, verificationOf } from '../../../../src/directory/verification.js';

const urls = { ehr: 'http://localhost:3000/sandbox/ehr/fhir', lw: 'http://localhost:3000/sandbox/lw/fhir' };
const now = new Date('2026-11-24T09:00:00Z');

const ofType = <T extends Resource>(resources: Resource[], type: T['resourceType']): T[] =>
  resources.filter((r): r is T => r.resourceType === type);

/** Every `reference` string anywhere in a resource. */
function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

describe('demo seed data', () => {
  const ehr = ehrSeed(urls, now);
  const lw = lwSeed(urls, now);
  const patients = ofType<Patient>(ehr, 'Patient');
  const services = ofType<HealthcareService>(lw, 'HealthcareService');
  const tasks = ofType<Task>(lw, 'Task');

  before(() => {
    ensureR4Definitions();
  });

  it('has at least 25 patients with valid, unique NHS numbers from the 999 test range', () => {
    expect(patients.length).to.be.at.least(25);
    const numbers = patients.map((p) => p.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber)?.value ?? '');
    for (const n of numbers) {
      expect(n, 'NHS number').to.match(/^999\d{7}$/);
      expect(nhsNumberIsValid(n), n).to.equal(true);
    }
    expect(new Set(numbers).size).to.equal(numbers.length);
  });

  it('varies ages, genders, languages, addresses and needs', () => {
    const decades = new Set(patients.map((p) => p.birthDate?.slice(0, 3)));
    expect(decades.size).to.be.at.least(6);
    expect(new Set(patients.map((p) => p.gender))).to.include.members(['female', 'male', 'other']);
    expect(patients.filter((p) => p.communication?.length).length).to.be.at.least(3);
    // A household each, but for the twins at one address (identity matching's ambiguous case: both are "Chris Doyle").
    const households = new Map<string, string[]>();
    for (const p of patients) households.set(p.address?.[0]?.postalCode ?? '', [...(households.get(p.address?.[0]?.postalCode ?? '') ?? []), p.id!]);
    expect([...households.values()].filter((ids) => ids.length > 1)).to.deep.equal([['pat-29', 'pat-30']]);
    const [chris1, chris2] = patients.filter((p) => p.id === 'pat-29' || p.id === 'pat-30');
    expect(chris1!.birthDate).to.equal(chris2!.birthDate);
    expect(chris1!.name?.[0]?.family).to.equal(chris2!.name?.[0]?.family);
    const needs = new Set(ofType<Resource & { code?: { coding?: { code?: string }[] } }>(ehr, 'Condition').map((c) => c.code?.coding?.[0]?.code));
    expect(needs.size).to.be.at.least(12);
  });

  it('has a GP practice with 3 GPs and a link-worker service with 4 link workers, both with ODS codes', () => {
    const ods = (r: Resource) => (r.resourceType === 'Organization' ? r.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.odsOrganisation)?.value : undefined);
    expect(ehr.map(ods)).to.include(ODS.gpPractice);
    expect(lw.map(ods)).to.include(ODS.linkWorkerService);
    expect(ofType(ehr, 'Practitioner')).to.have.length(3);
    expect(ofType(ehr, 'PractitionerRole')).to.have.length(3);
    const linkWorkerRoles = ofType<PractitionerRole>(lw, 'PractitionerRole').filter(
      (r) => r.organization?.reference === `Organization/${DEMO_IDS.linkWorkerOrg}` && r.code?.[0]?.text === 'Social prescribing link worker',
    );
    expect(linkWorkerRoles).to.have.length(4);
    // The sandbox IdP's service manager and the other organisation's link worker resolve too.
    const practitionerIds = ofType(lw, 'Practitioner').map((p) => p.id);
    expect(practitionerIds).to.include.members(['lw-1', 'lw-2', 'lw-3', 'lw-4', 'lw-manager', 'lw-other-1']);
    expect(lw.map(ods)).to.include('Y99960');
  });

  it('has at least 15 directory services with locality, contact, eligibility, referral method and capacity', () => {
    expect(services.length).to.be.at.least(15);
    const types = new Set(services.map((s) => s.type?.[0]?.coding?.[0]?.code));
    expect(types).to.include.members(['befriending', 'debt-advice', 'housing-advice', 'food-support', 'physical-activity', 'arts-culture', 'carer-support', 'wellbeing-support', 'employment-support', 'digital-inclusion', 'bereavement-support', 'green-activity', 'benefits-advice']);
    for (const s of services) {
      expect(s.providedBy?.reference, s.id).to.match(/^Organization\//);
      expect(s.coverageArea?.length, s.id).to.be.at.least(1);
      expect(s.telecom?.some((t) => t.system === 'phone'), s.id).to.equal(true);
      expect(s.eligibility?.[0]?.comment, s.id).to.be.a('string');
      expect(s.referralMethod?.length, s.id).to.be.at.least(1);
      expect(s.appointmentRequired, s.id).to.be.a('boolean');
      expect(s.availableTime?.length, s.id).to.be.at.least(1);
      const capacity = s.extension?.find((e) => e.url === EXTENSION.serviceCapacity);
      expect(capacity?.extension?.find((e) => e.url === 'acceptingReferrals')?.valueBoolean, s.id).to.be.a('boolean');
    }
    expect(services.some((s) => s.extension?.[0]?.extension?.[0]?.valueBoolean === false)).to.equal(true);
  });

  it('says who last checked most services and when, keeping a few stale on purpose for the manager’s list', () => {
    const stale = services.filter((s) => isStale(verificationOf(s), now, 365)).map((s) => s.id).sort();
    expect(stale, 'never checked, or not for over a year').to.deep.equal(['svc-arts', 'svc-cooking', 'svc-walking']);
    const checked = services.map((s) => verificationOf(s)).filter((v) => v !== undefined);
    expect(checked.length).to.equal(services.length - 2);
    expect(new Set(checked.map((v) => v.by))).to.deep.equal(new Set(['feed', 'provider', 'link-worker', 'manager']));
    expect(checked.every((v) => v.who), 'who, as well as when').to.equal(true);
  });

  it('has referrals in every key state, each Task pointing at its ServiceRequest and patient', () => {
    expect(new Set(tasks.map((t) => t.status))).to.include.members(['requested', 'accepted', 'in-progress', 'completed', 'rejected']);
    const serviceRequests = new Set(ofType(ehr, 'ServiceRequest').map((sr) => `${urls.ehr}/ServiceRequest/${sr.id}`));
    for (const t of tasks) {
      expect(serviceRequests.has(t.focus?.reference ?? ''), t.id).to.equal(true);
      expect(t.for?.identifier?.system).to.equal(IDENTIFIER_SYSTEM.nhsNumber);
      expect(t.owner?.identifier?.value).to.equal(ODS.linkWorkerService);
      if (t.status === 'rejected') expect(t.statusReason?.coding?.[0]?.code, t.id).to.be.a('string');
      if (t.status === 'in-progress') expect(t.businessStatus, t.id).to.not.equal(undefined);
    }
    const completed = tasks.find((t) => t.status === 'completed');
    expect(completed?.output?.filter((o) => o.valueReference?.reference?.startsWith('Observation/')).length).to.be.at.least(2);
  });

  it('has only references that resolve (relative within a server, absolute across servers)', () => {
    const ids = {
      ehr: new Set(ehr.map((r) => `${r.resourceType}/${r.id}`)),
      lw: new Set(lw.map((r) => `${r.resourceType}/${r.id}`)),
    };
    const check = (resources: Resource[], home: 'ehr' | 'lw') => {
      for (const r of resources) {
        for (const ref of referencesIn(r)) {
          const [server, local] = ref.startsWith(`${urls.ehr}/`) ? ['ehr', ref.slice(urls.ehr.length + 1)] as const
            : ref.startsWith(`${urls.lw}/`) ? ['lw', ref.slice(urls.lw.length + 1)] as const
            : [home, ref] as const;
          expect(ids[server].has(local), `${r.resourceType}/${r.id} → ${ref}`).to.equal(true);
        }
      }
    };
    check(ehr, 'ehr');
    check(lw, 'lw');
  });

  it('is valid R4 throughout', () => {
    for (const r of [...ehr, ...lw]) {
      expect(() => validateResource(r), `${r.resourceType}/${r.id}`).to.not.throw();
    }
  });

  it('is deterministic: fixed ids always, identical data for the same day', () => {
    expect(ehrSeed(urls, now)).to.deep.equal(ehr);
    expect(lwSeed(urls, new Date('2026-11-24T23:59:00Z'))).to.deep.equal(lw);
    const later = lwSeed(urls, new Date('2027-02-01T12:00:00Z'));
    expect(later.map((r) => r.id)).to.deep.equal(lw.map((r) => r.id));
    const ids = [...ehr, ...lw].map((r) => `${r.resourceType}/${r.id}`);
    expect(new Set(ids).size).to.equal(ids.length);
  });
});
