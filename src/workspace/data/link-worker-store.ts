import type { Bundle, HealthcareService, Organization, Practitioner, PractitionerRole, Resource, Task } from '@medplum/fhirtypes';
import { capacityOf, type DirectoryIndex } from '../../directory/search.js';
import type { FhirClient } from '../../fhir/client.js';
import { DirectoryCache } from '../../referrals/directory-cache.js';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { isOnwardReferral } from '../../referral-model/onward-referral.js';
import type { OnwardService } from '../domain/onward.js';
import { formatName } from '../domain/referral-details.js';
import type { OrgScope } from './org-scope.js';
import { relativeTo } from './org-scope.js';

export interface DirectoryEntry {
  id: string;
  name: string;
  provider?: string;
  /** The organisation that runs it (relative reference), e.g. `Organization/org-green-roots`. */
  providerRef?: string;
  type?: string;
}

export interface StaffMember {
  /** `PractitionerRole/{id}` in the organisation: what Task.owner names when the case is assigned. */
  reference: string;
  /** `Practitioner/{id}`: matched against the signed-in user's fhirUser. */
  practitioner: string;
  name: string;
}

/** Hard ceiling on Tasks read for one caseload page; beyond it the page says the list is cut short. */
export const MAX_CASELOAD_TASKS = 2000;

/**
 * The workspace's reads and writes at the link-worker FHIR endpoint, through SP Link's FhirClient
 * (its time budget: per-request timeout and retries with backoff for reads; transactions are not
 * retried, a conflict or failure is shown to the user).
 */
export class LinkWorkerStore {
  /** The directory prepared for searching, read at most once a minute (the GP app's cache: src/referrals). */
  readonly #directory = new DirectoryCache();
  constructor(readonly fhir: FhirClient) {}

  get base(): string {
    return this.fhir.baseUrl;
  }

  private async all<T extends Resource>(type: T['resourceType'], params: Record<string, string>, limit = MAX_CASELOAD_TASKS): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.fhir.searchAll<T>(type, params)) {
      for (const e of page.entry ?? []) if (e.resource?.resourceType === type && (!e.search?.mode || e.search.mode === 'match')) out.push(e.resource);
      if (out.length >= limit) break;
    }
    return out;
  }

  async scope(ods: string): Promise<OrgScope> {
    const orgs = await this.all<Organization>('Organization', { identifier: `${IDENTIFIER_SYSTEM.odsOrganisation}|${ods}` }, 10);
    const refs = new Set<string>(orgs.map((o) => `Organization/${o.id}`));
    if (orgs.length > 0) {
      const orgRefs = orgs.map((o) => `Organization/${o.id}`).join(',');
      const [services, roles] = await Promise.all([
        this.all<HealthcareService>('HealthcareService', { organization: orgRefs }, 500),
        this.all<PractitionerRole>('PractitionerRole', { organization: orgRefs }, 2000),
      ]);
      for (const s of services) refs.add(`HealthcareService/${s.id}`);
      // A case assigned to a link worker is owned by their PractitionerRole, which belongs to the organisation.
      for (const r of roles) refs.add(`PractitionerRole/${r.id}`);
    }
    return { ods, refs, orgId: orgs[0]?.id, orgName: orgs[0]?.name };
  }

  /**
   * Every referral Task at the endpoint (newest first); the caller filters by organisation. Onward referrals
   * (sub-Tasks to community groups) are part of their referral's case, never cases of their own.
   */
  async tasks(): Promise<{ tasks: Task[]; truncated: boolean }> {
    const tasks = await this.all<Task>('Task', { _count: '200', _sort: '-_lastUpdated' });
    return { tasks: tasks.filter((t) => !isOnwardReferral(t)), truncated: tasks.length >= MAX_CASELOAD_TASKS };
  }

  async task(id: string): Promise<Task> {
    return this.fhir.read<Task>('Task', id);
  }

  /** Active services of the directory, for the personalised plan. */
  async directory(): Promise<DirectoryEntry[]> {
    const services = await this.all<HealthcareService>('HealthcareService', { active: 'true', _count: '200' }, 500);
    return services
      .map((s) => ({ id: s.id ?? '', name: s.name ?? s.id ?? '', provider: s.providedBy?.display, providerRef: relativeTo(this.base, s.providedBy?.reference), type: s.type?.[0]?.text ?? s.type?.[0]?.coding?.[0]?.display }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The endpoint's directory prepared for searching (src/directory/search.ts), as the GP app's picker searches it. */
  async directoryIndex(): Promise<DirectoryIndex> {
    return this.#directory.index('workspace', this.fhir);
  }

  /** Staff of the organisation (active PractitionerRoles), for assignment and "my cases". */
  async staff(scope: OrgScope): Promise<StaffMember[]> {
    if (!scope.orgId) return [];
    const bundle = await this.fhir.search<PractitionerRole | Practitioner>('PractitionerRole', {
      organization: `Organization/${scope.orgId}`,
      active: 'true',
      _include: 'PractitionerRole:practitioner',
      _count: '200',
    });
    const practitioners = new Map<string, Practitioner>();
    const roles: PractitionerRole[] = [];
    for (const e of bundle.entry ?? []) {
      if (e.resource?.resourceType === 'Practitioner') practitioners.set(`Practitioner/${e.resource.id}`, e.resource);
      if (e.resource?.resourceType === 'PractitionerRole') roles.push(e.resource);
    }
    const seen = new Map<string, StaffMember>();
    for (const r of roles) {
      const practitioner = relativeTo(this.base, r.practitioner?.reference);
      if (!practitioner?.startsWith('Practitioner/') || seen.has(practitioner)) continue;
      const name = formatName(practitioners.get(practitioner)?.name) ?? r.practitioner?.display ?? practitioner;
      seen.set(practitioner, { reference: `PractitionerRole/${r.id}`, practitioner, name });
    }
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The onward referrals (sub-Tasks) of one referral Task, oldest first. */
  async onwardOf(taskId: string): Promise<Task[]> {
    const tasks = await this.all<Task>('Task', { 'part-of': `Task/${taskId}`, _count: '100' }, 200);
    return tasks.filter(isOnwardReferral).sort((a, b) => (a.authoredOn ?? '').localeCompare(b.authoredOn ?? ''));
  }

  /** Every onward referral at the endpoint (newest first); the caller filters by the group's organisation. */
  async onwardTasks(): Promise<{ tasks: Task[]; truncated: boolean }> {
    const tasks = await this.all<Task>('Task', { _count: '200', _sort: '-_lastUpdated' });
    return { tasks: tasks.filter(isOnwardReferral), truncated: tasks.length >= MAX_CASELOAD_TASKS };
  }

  /** Active directory services by id, each with the organisation that runs it and that organisation's ODS code. */
  async onwardServices(ids: readonly string[]): Promise<OnwardService[]> {
    if (ids.length === 0) return [];
    const bundle = await this.fhir.search<HealthcareService | Organization>('HealthcareService', { _id: ids.join(','), _include: 'HealthcareService:organization', _count: String(ids.length * 2) });
    const orgs = new Map<string, Organization>();
    const services: HealthcareService[] = [];
    for (const e of bundle.entry ?? []) {
      if (e.resource?.resourceType === 'Organization') orgs.set(`Organization/${e.resource.id}`, e.resource);
      if (e.resource?.resourceType === 'HealthcareService' && e.resource.active !== false && ids.includes(e.resource.id ?? '')) services.push(e.resource);
    }
    return services.flatMap((s) => {
      const ref = relativeTo(this.base, s.providedBy?.reference);
      const org = ref ? orgs.get(ref) : undefined;
      if (!s.id || !s.name || !s.providedBy) return [];
      const ods = org?.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.odsOrganisation)?.value ?? (s.providedBy.identifier?.system === IDENTIFIER_SYSTEM.odsOrganisation ? s.providedBy.identifier.value : undefined);
      const accepting = capacityOf(s).acceptingReferrals;
      return [{ id: s.id, name: s.name, provider: { ...(ref ? { reference: ref } : {}), display: s.providedBy.display ?? org?.name ?? s.name }, ...(ods ? { providerOds: ods } : {}), ...(accepting !== undefined ? { acceptingReferrals: accepting } : {}) }];
    });
  }

  /** One directory service as it stands (its version for If-Match). */
  async service(id: string): Promise<HealthcareService> {
    return this.fhir.read<HealthcareService>('HealthcareService', id);
  }

  /** Every directory service, active or not (the manager's "to check" list). */
  async allServices(): Promise<HealthcareService[]> {
    return this.all<HealthcareService>('HealthcareService', { _count: '200' }, 10_000);
  }

  /** The services an organisation runs (HealthcareService.providedBy one of its Organizations). */
  async servicesOf(scope: OrgScope): Promise<HealthcareService[]> {
    const orgs = [...scope.refs].filter((r) => r.startsWith('Organization/'));
    if (orgs.length === 0) return [];
    const services = await this.all<HealthcareService>('HealthcareService', { organization: orgs.join(','), _count: '200' }, 500);
    return services.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  }

  /** After a change to the directory: the next search reads it afresh. */
  directoryChanged(): void {
    this.#directory.invalidate();
  }

  async apply(bundle: Bundle): Promise<Bundle> {
    return this.fhir.transaction(bundle);
  }
}
