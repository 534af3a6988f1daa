import { parseClinicalScope, type ScopeContext } from '../../fhir-server/access/smart-scopes.js';
import type { SandboxClient } from './smart-provider.js';

/**
 * Which requested scopes a sandbox client may be granted: clinical scopes in the client's contexts
 * (`patient`/`user` for the GP app, `system` for backends), and the non-clinical ones the server knows and the
 * client's registration allows. The sandbox consents on the user's behalf, so this is the whole consent policy.
 */
export class ScopePolicy {
  readonly #contexts: Map<string, ReadonlySet<ScopeContext>>;
  readonly #statics: Map<string, ReadonlySet<string>>;

  constructor(clients: readonly SandboxClient[], statics: readonly string[]) {
    this.#contexts = new Map(clients.map((c) => [c.metadata.client_id, new Set(c.contexts)]));
    this.#statics = new Map(
      clients.map((c) => {
        const registered = typeof c.metadata.scope === 'string' ? new Set(c.metadata.scope.split(' ')) : new Set(statics);
        const refresh = c.metadata.grant_types?.includes('refresh_token') ?? false;
        return [c.metadata.client_id, new Set(statics.filter((s) => registered.has(s) && (s !== 'offline_access' || refresh)))];
      }),
    );
  }

  clinical(clientId: string, requested: readonly string[]): string[] {
    const allowed = this.#contexts.get(clientId);
    return requested.filter((s) => {
      const parsed = parseClinicalScope(s);
      return parsed !== undefined && allowed?.has(parsed.context) === true;
    });
  }

  nonClinical(clientId: string, requested: readonly string[]): string[] {
    const allowed = this.#statics.get(clientId);
    return requested.filter((s) => allowed?.has(s) === true);
  }
}
