import type { Patient, Practitioner } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import { equalityToAsk } from '../referral-model/equality.js';
import type { FhirClient } from '../fhir/client.js';
import type { LaunchSession } from './launch-steps.js';
import { relativeToIss } from './launch-steps.js';
import { parseReferenceOf } from '../referral-model/references.js';
import type { AppContext } from '../gp-app-contract/index.js';

export type { AppContext };

export function humanName(n: { given?: string[]; family?: string; text?: string; prefix?: string[] } | undefined): string | undefined {
  if (!n) return undefined;
  if (n.text) return n.text;
  const s = [...(n.prefix ?? []), ...(n.given ?? []), n.family].filter(Boolean).join(' ');
  return s || undefined;
}

/** NHS banner convention: FAMILY, Given (Title). */
export function bannerName(p: Patient): string {
  const n = p.name?.find((x) => x.use === 'official') ?? p.name?.[0];
  if (!n) return 'Name not recorded';
  const family = n.family?.toLocaleUpperCase('en-GB');
  const given = n.given?.join(' ');
  const title = n.prefix?.[0];
  return [family, given].filter(Boolean).join(', ') + (title ? ` (${title})` : '') || 'Name not recorded';
}

export async function practitionerName(ehr: FhirClient, ref: string | undefined): Promise<string | undefined> {
  const id = parseReferenceOf(ref, 'Practitioner')?.id;
  if (!id) return undefined;
  try {
    const p = await ehr.read<Practitioner>('Practitioner', id);
    return humanName(p.name?.[0]);
  } catch {
    // Some EHRs do not let a patient-scoped app read the user; the referral then carries the reference only.
    return undefined;
  }
}

export function buildContext(
  launch: LaunchSession,
  patient: Patient,
  practitioner: { reference?: string; name?: string },
  extra: { practice: string; linkWorkerService: string; csrfToken: string; now: Date },
): AppContext {
  const addr = patient.address?.find((a) => a.use === 'home') ?? patient.address?.[0];
  return {
    patient: {
      id: launch.patient,
      name: bannerName(patient),
      ...(patient.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber)?.value
        ? { nhsNumber: patient.identifier.find((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber)!.value }
        : {}),
      ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
      ...(patient.gender ? { gender: patient.gender } : {}),
      ...(addr ? { address: addr.text ?? [...(addr.line ?? []), addr.city, addr.postalCode].filter(Boolean).join(', ') } : {}),
      ...(patient.telecom?.find((t) => t.system === 'phone')?.value ? { phone: patient.telecom.find((t) => t.system === 'phone')!.value } : {}),
    },
    needPatientBanner: launch.needPatientBanner,
    practitioner: { ...(launch.fhirUser ? { reference: relativeToIss(launch.fhirUser, launch.iss) } : {}), ...practitioner },
    practice: extra.practice,
    linkWorkerService: extra.linkWorkerService,
    csrfToken: extra.csrfToken,
    today: extra.now.toLocaleDateString('en-CA', { timeZone: 'Europe/London' }),
    ...(launch.referNeed ? { referNeeds: [launch.referNeed] } : {}),
    equalityToAsk: equalityToAsk(patient),
  };
}
