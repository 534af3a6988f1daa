import type {
  CodeableConcept,
  Communication,
  Condition,
  Encounter,
  Flag,
  HumanName,
  Observation,
  Patient,
  Practitioner,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { formatNhsNumber } from '../../fhir/nhs-number.js';
import { concernOrigin, safeguardingConcerns } from '../../referral-model/safeguarding.js';
import { messageBackText, readMessageBack, type MessageBack } from '../../message-back/index.js';

/**
 * What the sandbox GP system shows, derived from the EHR repository as plain values (no express, no HTML):
 * the patient list, and one patient's record summary including what SP Link wrote back.
 */

const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

export interface ClinicianRow {
  readonly id: string;
  readonly name: string;
}

export interface PatientRow {
  readonly id: string;
  readonly name: string;
  /** Formatted 3-3-4, e.g. 999 000 1001. */
  readonly nhsNumber: string;
  readonly birthDate: string;
  readonly age: number | undefined;
  readonly gender: string;
}

export interface SafeguardingRow {
  readonly key: string;
  /** ServiceRequest id. */
  readonly referral: string;
  readonly origin: string;
  readonly date: string;
  readonly detail: string;
  readonly service: string;
}

export interface RecordView extends PatientRow {
  readonly address: string;
  readonly problems: readonly string[];
  readonly referrals: readonly { id: string; identifier: string; status: string; authoredOn: string; reasons: string; service: string }[];
  readonly outcomes: readonly { id: string; measure: string; value: string; date: string }[];
  /** `message`: a Communication read back as the GP reads it (src/message-back); `text` is its plain-text form. */
  readonly messages: readonly { id: string; kind: 'Message' | 'Alert'; text: string; date: string; message?: MessageBack }[];
  /** Safeguarding concerns on the patient's referrals not yet acknowledged (src/referral-model/safeguarding.ts), oldest first. */
  readonly safeguarding: readonly SafeguardingRow[];
  /** Latest encounter id, for the launch context. */
  readonly encounter?: string;
}


export function displayName(names: HumanName[] | undefined, opts: { surnameFirst?: boolean } = {}): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return '(no name)';
  const given = (n.given ?? []).join(' ');
  const family = n.family ?? '';
  if (opts.surnameFirst) return `${family.toUpperCase()}, ${given}${n.prefix?.length ? ` (${n.prefix.join(' ')})` : ''}`;
  return [...(n.prefix ?? []), given, family].filter(Boolean).join(' ');
}

/** Age in whole years on `now` (UTC dates). */
export function ageOn(birthDate: string | undefined, now: Date): number | undefined {
  const m = birthDate ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate) : null;
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < mo || (now.getUTCMonth() + 1 === mo && now.getUTCDate() < d)) age--;
  return age;
}

/** 14-Mar-1941, as GP systems print dates. */
export function gpDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${String(d.getUTCDate()).padStart(2, '0')}-${mon}-${d.getUTCFullYear()}`;
}

const conceptText = (c: CodeableConcept | undefined): string => c?.text ?? c?.coding?.find((x) => x.display)?.display ?? c?.coding?.[0]?.code ?? '';

/** The EHR's clinicians: every active Practitioner it holds (the practice's GPs). */
export function clinicianRows(practitioners: readonly Resource[]): ClinicianRow[] {
  return (practitioners as Practitioner[])
    .filter((p) => p.id && p.active !== false)
    .map((p) => ({ id: p.id as string, name: displayName(p.name) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

export function patientRow(p: Patient, now: Date): PatientRow {
  return {
    id: p.id as string,
    name: displayName(p.name, { surnameFirst: true }),
    nhsNumber: formatNhsNumber(p.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value),
    birthDate: gpDate(p.birthDate),
    age: ageOn(p.birthDate, now),
    gender: p.gender ? p.gender[0]!.toUpperCase() + p.gender.slice(1) : 'Unknown',
  };
}

/** Patients matching a free-text query on name or NHS number (spaces ignored), sorted by surname. */
export function searchPatients(patients: readonly Resource[], q: string, now: Date): PatientRow[] {
  const needle = q.trim().toLowerCase();
  const digits = needle.replace(/\s+/g, '');
  return (patients as Patient[])
    .map((p) => patientRow(p, now))
    .filter((r) => !needle || r.name.toLowerCase().replace(',', '').includes(needle.replace(',', '')) || (/^\d+$/.test(digits) && r.nhsNumber.replace(/\s/g, '').includes(digits)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** True when `ref` points at Patient/{id}, relative or absolute. */
const isFor = (ref: string | undefined, id: string): boolean => !!ref && (ref === `Patient/${id}` || ref.endsWith(`/Patient/${id}`));

export function recordView(patient: Patient, all: (type: string) => readonly Resource[], now: Date): RecordView {
  const id = patient.id as string;
  const mine = <T extends Resource>(type: string, field: (r: T) => string | undefined): T[] => (all(type) as T[]).filter((r) => isFor(field(r), id));
  const addr = patient.address?.[0];
  /** Newest first by `sort`, which is then dropped from the view. */
  const newestFirst = <T extends { sort: string }>(items: T[]): Omit<T, 'sort'>[] =>
    items.sort((a, b) => b.sort.localeCompare(a.sort)).map(({ sort: _sort, ...rest }) => rest);
  const serviceRequests = mine<ServiceRequest>('ServiceRequest', (s) => s.subject?.reference);
  const communications = mine<Communication>('Communication', (c) => c.subject?.reference);
  const encounters = mine<Encounter>('Encounter', (e) => e.subject?.reference).sort((a, b) => (b.period?.start ?? '').localeCompare(a.period?.start ?? ''));

  return {
    ...patientRow(patient, now),
    address: [...(addr?.line ?? []), addr?.city, addr?.postalCode].filter(Boolean).join(', '),
    problems: mine<Condition>('Condition', (c) => c.subject?.reference)
      .filter((c) => c.clinicalStatus?.coding?.some((x) => x.code === 'active') ?? true)
      .map((c) => conceptText(c.code)),
    referrals: newestFirst(serviceRequests
      .map((s) => ({
        sort: s.authoredOn ?? '',
        id: s.id as string,
        identifier: s.identifier?.[0]?.value ?? s.id ?? '',
        status: s.status,
        authoredOn: gpDate(s.authoredOn),
        reasons: (s.reasonCode ?? []).map(conceptText).join(', '),
        service: s.performer?.[0]?.display ?? conceptText(s.code),
      })),
    ),
    outcomes: newestFirst(mine<Observation>('Observation', (o) => o.subject?.reference)
      .map((o) => ({
        sort: o.effectiveDateTime ?? '',
        id: o.id as string,
        measure: conceptText(o.code),
        value: o.valueInteger !== undefined ? String(o.valueInteger) : o.valueQuantity?.value !== undefined ? `${o.valueQuantity.value}${o.valueQuantity.unit ? ` ${o.valueQuantity.unit}` : ''}` : (o.valueString ?? conceptText(o.valueCodeableConcept)),
        date: gpDate(o.effectiveDateTime),
      })),
    ),
    messages: newestFirst([
      ...communications.map((c) => {
        const message = readMessageBack(c);
        return { sort: c.sent ?? '', id: c.id as string, kind: 'Message' as const, text: messageBackText(message), date: gpDate(c.sent), message };
      }),
      ...mine<Flag>('Flag', (f) => f.subject?.reference).map((f) => ({ sort: f.period?.start ?? '', id: f.id as string, kind: 'Alert' as const, text: conceptText(f.code), date: gpDate(f.period?.start) })),
    ]),
    safeguarding: serviceRequests
      .flatMap((sr) => safeguardingConcerns(sr, communications).filter((c) => !c.acknowledged).map((c) => ({ c, sr })))
      .sort((a, b) => (a.c.raisedAt ?? '').localeCompare(b.c.raisedAt ?? ''))
      .map(({ c, sr }) => ({
        key: c.key,
        referral: c.referral,
        origin: concernOrigin(c),
        date: gpDate(c.raisedAt),
        detail: c.detail ?? '',
        service: sr.performer?.[0]?.display ?? conceptText(sr.code),
      })),
    ...(encounters[0]?.id ? { encounter: encounters[0].id } : {}),
  };
}

export { formatNhsNumber };
