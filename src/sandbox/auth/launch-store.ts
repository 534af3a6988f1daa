import { randomBytes } from 'node:crypto';

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
}

export interface LaunchStoreOptions {
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
 * so the token endpoint (and refreshes) can return `patient`, `encounter`, `fhirUser`. In memory, like the
 * sandbox authorization server's own storage.
 */
export class LaunchStore {
  readonly #launches = new Map<string, Entry<LaunchContext>>();
  readonly #grants = new Map<string, Entry<LaunchContext>>();
  readonly #launchTtl: number;
  readonly #grantTtl: number;

  constructor(opts: LaunchStoreOptions = {}) {
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

  bindGrant(grantId: string, context: LaunchContext): void {
    this.#grants.set(grantId, { value: context, expires: Date.now() + this.#grantTtl });
  }

  forGrant(grantId: string | undefined): LaunchContext | undefined {
    if (!grantId) return undefined;
    const e = this.#grants.get(grantId);
    return e && e.expires > Date.now() ? e.value : undefined;
  }

  #sweep(): void {
    const now = Date.now();
    for (const map of [this.#launches, this.#grants]) for (const [k, e] of map) if (e.expires <= now) map.delete(k);
  }
}
