import type { Resource } from '@medplum/fhirtypes';
import { londonDate } from '../../time/london.js';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { FhirClient } from '../../fhir/client.js';
import type { ReferralOutbox } from '../../referrals/outbox-port.js';
import type { Db } from '../../store/db.js';
import type { LinkWorkerStore } from '../data/link-worker-store.js';
import type { PatientReferences } from '../data/patient-reference.js';

/** What the workspace needs from the composition root. */
export interface WorkspaceContext {
  config: Config;
  db: Db;
  logger?: Logger;
  /**
   * Client for the link-worker endpoint named by `workspace.linkWorkerEndpoint`. Default: built from
   * that endpoint's config with SP Link's backend identity.
   */
  linkWorkerFhir?: FhirClient;
  /** Clients for tenants' EHRs by tenant id (default: SP Link's backend identity from config). */
  ehrFhir?: Readonly<Record<string, FhirClient>>;
  /** Profile validation of every resource the workspace writes. Default: `validateForWrite`. */
  validate?: (resource: Resource) => void;
  /** Clock (tests). */
  now?: () => Date;
  /** The reconciler's outbox: writes a referral the service manager links into the GP record (absent: nothing is written there). */
  outbox?: ReferralOutbox;
}

/** Resolved dependencies shared by the route modules. */
export interface WorkspaceDeps {
  config: Config;
  workspace: NonNullable<Config['workspace']>;
  db: Db;
  logger: Logger;
  store: () => Promise<LinkWorkerStore>;
  linkWorkerBase: string;
  patients: PatientReferences;
  /** A tenant's EHR with SP Link's backend identity (undefined for a tenant not configured). */
  ehrClient: (tenantId: string) => Promise<FhirClient> | undefined;
  now: () => Date;
  outbox?: ReferralOutbox;
}

/** Today's calendar date in England (YYYY-MM-DD): the default of date fields and the day "in the future" is judged against. */
export const todayOf = (d: Date) => londonDate(d);
