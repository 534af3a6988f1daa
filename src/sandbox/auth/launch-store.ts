import { randomBytes } from 'node:crypto';
import type { Adapter, AdapterPayload } from 'oidc-provider';

/** What the sandbox EHR knows when it launches an app (SMART App Launch 2.x §EHR launch context). */
export interface LaunchContext {
  /** Patient id at the EHR FHIR server. */
  readonly patient: string;
  /** Encounter id, when the launch happens inside an encounter. */
  readonly encounter?: string;
  /** Practitioner id of the clinician using the EHR; becomes the logged-in user and `fhirUser`. */
  readonly practitioner: string;
  /** The EHR already shows a patient banner: false when the app runs full-window. Default true. */
  readonly needPatientBanner?: boolean;
  /** Launched from a CDS Hooks card: the card link's `appContext`, returned in the token response. */
  readonly appContext?: string;
}

/** oidc-provider model name under which grant-bound launch contexts are stored (bound to the grant: revoked with it). */
export const LAUNCH_CONTEXT_MODEL = 'SmartLaunchContext';

export interface LaunchStoreOptions {
  /**
   * Where launch contexts bound to grants are kept: the EHR authorization server's own storage (model
   * LAUNCH_CONTEXT_MODEL), so a refresh after a restart still carries `patient`, `encounter`, `fhirUser`.
   */
  grants: Adapter;
  /** How long a launch id can start an authorization. */
  launchTtlMs?: number;
  /** How long a grant keeps its context (refresh tokens live at most this long). */
  grantTtlMs?: number;
}

interface Entry<T> {
  value: T;
  expires: number;
}

/**
 * Launch contexts by opaque `launch` id, and by oidc-provider grant id once an authorization has bound one,
 * so the token endpoint (and refreshes) can return `patient`, `encounter`, `fhirUser`. Launch ids are short-lived
 * and kept in memory (a launch not yet used when the sandbox restarts is started again from the EHR); contexts
 * bound to grants live as long as refresh tokens can, in the authorization server's storage.
 */
export class LaunchStore {
  readonly #launches = new Map<string, Entry<LaunchContext>>();
  readonly #grants: Adapter;
  readonly #launchTtl: number;
  readonly #grantTtl: number;

  constructor(opts: LaunchStoreOptions) {
    this.#grants = opts.grants;
    this.#launchTtl = opts.launchTtlMs ?? 60 * 60 * 1000;
    this.#grantTtl = opts.grantTtlMs ?? 14 * 24 * 60 * 60 * 1000;
  }

  /** Registers a launch and returns its id: 256 random bits, unguessable. */
  create(context: LaunchContext): string {
    this.#sweep();
    const id = randomBytes(32).toString('base64url');
    this.#launches.set(id, { value: { needPatientBanner: true, ...context }, expires: Date.now() + this.#launchTtl });
    return id;
  }

  resolve(launchId: string | undefined): LaunchContext | undefined {
    if (!launchId) return undefined;
    const e = this.#launches.get(launchId);
    return e && e.expires > Date.now() ? e.value : undefined;
  }

  async bindGrant(grantId: string, context: LaunchContext): Promise<void> {
    const { patient, encounter, practitioner, needPatientBanner, appContext } = context;
    const payload = { grantId, context: { patient, encounter, practitioner, needPatientBanner, appContext } } as unknown as AdapterPayload;
    await this.#grants.upsert(grantId, payload, Math.ceil(this.#grantTtl / 1000));
  }

  async forGrant(grantId: string | undefined): Promise<LaunchContext | undefined> {
    if (!grantId) return undefined;
    const stored = (await this.#grants.find(grantId)) as { context?: LaunchContext } | undefined;
    return stored?.context;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [k, e] of this.#launches) if (e.expires <= now) this.#launches.delete(k);
  }
}
