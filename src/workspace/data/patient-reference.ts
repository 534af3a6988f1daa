import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { FhirClient } from '../../fhir/client.js';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { referralSourceOf } from '../../referral-model/referral-source.js';
import { isFhirId } from '../../referral-model/references.js';

export interface EhrEndpoint {
  /** The tenant (practice) whose EHR this is. */
  tenantId?: string;
  /** FHIR base of the tenant's EHR, no trailing slash. */
  base: string;
  client: () => Promise<FhirClient>;
}

const MAX_CACHED = 5000;

/**
 * The absolute URL of the person's Patient in the GP record, which outcome Observations name as
 * subject. Taken from Task.for.reference when the sender put it there; otherwise read once from the
 * referral itself (Task.focus → ServiceRequest.subject) with SP Link's backend identity at that EHR,
 * the only EHR read the workspace makes. Only EHRs in the configuration are contacted.
 */
export class PatientReferences {
  private readonly cache = new Map<string, string>();

  /**
   * @param linked For a referral someone other than the GP made: the registered patient identity matching or the
   *   service manager linked it to (the `community_referrals` decision), by referral reference.
   */
  constructor(
    private readonly ehrs: readonly EhrEndpoint[],
    private readonly linked?: (referralId: string) => Promise<{ tenantId?: string; patientId?: string } | undefined>,
  ) {}

  async resolve(task: Task): Promise<string | undefined> {
    if (task.for?.reference && !task.for.reference.startsWith('#')) return task.for.reference;
    const focus = task.focus?.reference;
    if (focus && !focus.startsWith('#')) return this.fromReferral(focus);
    // A self or agency referral no GP record holds (yet): the patient it was linked to, else the person as described.
    return (await this.linkedPatient(task)) ?? task.for?.reference;
  }

  private async linkedPatient(task: Task): Promise<string | undefined> {
    const ref = task.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.referralTask)?.value;
    if (!ref || !this.linked || referralSourceOf(task) === 'gp') return undefined;
    const row = await this.linked(ref);
    const ehr = row?.patientId ? this.ehrs.find((e) => e.tenantId === row.tenantId) : undefined;
    return ehr && isFhirId(row!.patientId) ? `${ehr.base}/Patient/${row!.patientId}` : undefined;
  }

  private async fromReferral(focus: string): Promise<string | undefined> {
    const hit = this.cache.get(focus);
    if (hit) return hit;
    const ehr = this.ehrs.find((e) => focus.startsWith(`${e.base}/ServiceRequest/`));
    if (!ehr) return undefined;
    const id = focus.slice(ehr.base.length + '/ServiceRequest/'.length);
    const sr = await (await ehr.client()).read<ServiceRequest>('ServiceRequest', id);
    const subject = sr.subject?.reference;
    if (!subject) return undefined;
    const absolute = /^https?:/.test(subject) ? subject : `${ehr.base}/${subject}`;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(focus, absolute);
    return absolute;
  }

  private ehrOf(reference: string | undefined): { ehr: EhrEndpoint; id: string } | undefined {
    if (!reference) return undefined;
    const ehr = this.ehrs.find((e) => reference.startsWith(`${e.base}/Patient/`));
    const id = ehr ? reference.slice(ehr.base.length + '/Patient/'.length) : undefined;
    return ehr && isFhirId(id) ? { ehr, id } : undefined;
  }

  /**
   * The person's record in the GP system, for Tasks that carry no demographics of their own (sent by
   * systems other than SP Link, with Task.for naming the EHR Patient). Undefined when not reachable.
   */
  async patient(task: Task): Promise<Patient | undefined> {
    const at = this.ehrOf(task.for?.reference);
    return at ? (await at.ehr.client()).read<Patient>('Patient', at.id) : undefined;
  }

  /** Patients for many Tasks at once: one search per EHR (`_id=a,b,…`), keyed by Task.for.reference. */
  async patients(tasks: readonly Task[]): Promise<Map<string, Patient>> {
    const byEhr = new Map<EhrEndpoint, Set<string>>();
    for (const t of tasks) {
      const at = this.ehrOf(t.for?.reference);
      if (at) byEhr.set(at.ehr, (byEhr.get(at.ehr) ?? new Set()).add(at.id));
    }
    const out = new Map<string, Patient>();
    await Promise.all(
      [...byEhr].map(async ([ehr, ids]) => {
        const bundle = await (await ehr.client()).search<Patient>('Patient', { _id: [...ids].join(','), _count: String(ids.size) });
        for (const e of bundle.entry ?? []) if (e.resource?.resourceType === 'Patient') out.set(`${ehr.base}/Patient/${e.resource.id}`, e.resource);
      }),
    );
    return out;
  }
}
