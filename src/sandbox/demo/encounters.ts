import type { Encounter } from '@medplum/fhirtypes';
import { DEMO_IDS } from './constants.js';
import { DEMO_PATIENT_COUNT, patientId } from './patients.js';
import { gpId } from './practice.js';
import { seeded } from './seeded-random.js';

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const SNOMED = 'http://snomed.info/sct';

/** What kind of contact, with how often a practice sees it; one hospital class, so the reports' exclusion shows. */
const KINDS = [
  { class: { code: 'AMB', display: 'ambulatory' }, type: { code: '185317003', display: 'Telephone encounter' }, weight: 3 },
  { class: { code: 'AMB', display: 'ambulatory' }, type: { code: '185389009', display: 'Follow-up visit' }, weight: 6 },
  { class: { code: 'VR', display: 'virtual' }, type: { code: '448337001', display: 'Telemedicine consultation with patient' }, weight: 2 },
  { class: { code: 'HH', display: 'home health' }, type: { code: '439708006', display: 'Home visit' }, weight: 1 },
  { class: { code: 'EMER', display: 'emergency' }, type: { code: '4525004', display: 'Emergency department patient visit' }, weight: 1 },
] as const;

/** Days back the encounters spread over: the year of report history plus the 6 months before its first referral. */
const SPREAD_DAYS = 548;

/**
 * The demo patients' contacts with the practice (EHR): 2 to 9 each, spread over the report-history period (seeded, so
 * one day's seed is the same every time), mostly appointments with their GP, now and then an A&E visit. Encounters
 * are what the reports count as GP demand (docs/REPORTS.md, "GP demand").
 */
export function encounterResources(now: Date): Encounter[] {
  const rnd = seeded(0x6e_c0_de);
  const out: Encounter[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const total = KINDS.reduce((s, k) => s + k.weight, 0);
  for (let n = 1; n <= DEMO_PATIENT_COUNT; n++) {
    const count = 2 + Math.floor(rnd() * 8);
    for (let i = 1; i <= count; i++) {
      let r = rnd() * total;
      const kind = KINDS.find((k) => (r -= k.weight) < 0) ?? KINDS[0];
      const start = new Date(today - (1 + Math.floor(rnd() * SPREAD_DAYS)) * 86_400_000 + (9 + Math.floor(rnd() * 8)) * 3_600_000);
      const end = new Date(start.getTime() + (kind.class.code === 'EMER' ? 4 * 3_600_000 : 15 * 60_000));
      const hospital = kind.class.code === 'EMER';
      out.push({
        resourceType: 'Encounter',
        id: `enc-${String(n).padStart(2, '0')}-${i}`,
        status: 'finished',
        class: { system: ACT_CODE, ...kind.class },
        type: [{ coding: [{ system: SNOMED, ...kind.type }], text: kind.type.display }],
        subject: { reference: `Patient/${patientId(n)}` },
        ...(hospital ? {} : { participant: [{ individual: { reference: `Practitioner/${gpId(1 + ((n + i) % 3))}` } }] }),
        period: { start: start.toISOString(), end: end.toISOString() },
        ...(hospital ? {} : { serviceProvider: { reference: `Organization/${DEMO_IDS.gpPractice}` } }),
      });
    }
  }
  return out;
}
