import { randomUUID } from 'node:crypto';
import { parseSearchRequest } from '@medplum/core';
import type { ResourceType } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Logger } from 'pino';
import { substituteTokens, type Card } from '../../cds/index.js';
import type { SandboxFhirServer } from '../fhir/index.js';

/**
 * The sandbox GP system as a CDS Hooks client, as a real GP system behaves: it reads SP Link's discovery document,
 * runs each prefetch template against its own record, calls `patient-view` when a record opens (with a JWT signed
 * by its own key, published at `/sandbox/ehr/cds-client/jwks.json`), and reports what the GP did with a card
 * (feedback). A failing or slow service never stops the record from opening: the page just shows no card.
 */

export const CDS_CLIENT_JWKS_PATH = '/sandbox/ehr/cds-client/jwks.json';
/** The `iss` of the sandbox GP system's JWTs (configured for the demo practice in config/default.yaml). */
export const cdsClientIss = (origin: string) => `${origin}/sandbox/ehr`;
const TIMEOUT_MS = 5_000;

interface DiscoveredService {
  readonly hook: string;
  readonly id: string;
  readonly prefetch?: Record<string, string>;
}

export interface ShownCard extends Card {
  /** The service that returned it (feedback goes to `{service}/feedback`). */
  readonly serviceUrl: string;
}

export interface SandboxCdsClient {
  readonly jwks: () => Promise<{ keys: JWK[] }>;
  /** The cards for a record that has just opened; [] when there are none or the service cannot answer. */
  patientView(context: { patientId: string; userId: string; encounterId?: string }): Promise<ShownCard[]>;
  feedback(card: { uuid: string; serviceUrl: string }, outcome: 'accepted' | 'overridden', reason?: { system: string; code: string }): Promise<void>;
}

export function createSandboxCdsClient(opts: { discoveryUrl: string; iss: string; ehr: SandboxFhirServer; logger: Logger }): SandboxCdsClient {
  const log = opts.logger.child({ module: 'sandbox-cds-client' });
  const keys = generateKeyPair('ES384', { extractable: true }).then(async (k) => ({ ...k, jwk: { ...(await exportJWK(k.publicKey)), kid: 'sandbox-ehr-cds-1', alg: 'ES384', use: 'sig' } }));
  let discovered: Promise<DiscoveredService[]> | undefined;

  const sign = async (aud: string) => {
    const { privateKey } = await keys;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: opts.iss, sub: 'sandbox-gp-system', aud, iat: now, exp: now + 60, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES384', kid: 'sandbox-ehr-cds-1', typ: 'JWT' })
      .sign(privateKey as CryptoKey);
  };

  const post = async (url: string, body: unknown) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await sign(url)}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`CDS service answered ${res.status}`);
    return (await res.json()) as unknown;
  };

  const services = () => {
    discovered ??= fetch(opts.discoveryUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) })
      .then(async (r) => (r.ok ? ((await r.json()) as { services: DiscoveredService[] }).services : Promise.reject(new Error(`discovery answered ${r.status}`))))
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  };

  /** A prefetch template run against the sandbox record, as the GP system's own FHIR server would answer it. */
  async function prefetchOne(template: string, context: Record<string, string | undefined>): Promise<unknown> {
    const query = substituteTokens(template, context);
    if (query === undefined) return null;
    try {
      const [path] = query.split('?');
      const [type, id] = path!.split('/');
      if (id !== undefined) return await opts.ehr.repo.readResource(type as ResourceType, decodeURIComponent(id));
      return await opts.ehr.repo.search(parseSearchRequest(query));
    } catch {
      // The client could not fulfil this prefetch: null lets the service say so (CDS Hooks: "null or omitted").
      return null;
    }
  }

  return {
    jwks: async () => ({ keys: [(await keys).jwk] }),

    async patientView(context) {
      try {
        const all = await services();
        const cards: ShownCard[] = [];
        for (const s of all.filter((x) => x.hook === 'patient-view')) {
          const prefetch: Record<string, unknown> = {};
          for (const [key, template] of Object.entries(s.prefetch ?? {})) prefetch[key] = await prefetchOne(template, context);
          const serviceUrl = `${opts.discoveryUrl}/${s.id}`;
          const answer = (await post(serviceUrl, { hook: 'patient-view', hookInstance: randomUUID(), context, prefetch })) as { cards?: Card[] };
          cards.push(...(answer.cards ?? []).map((c) => ({ ...c, serviceUrl })));
        }
        return cards;
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'CDS service did not answer; the record opens without cards');
        return [];
      }
    },

    async feedback(card, outcome, reason) {
      try {
        await post(`${card.serviceUrl}/feedback`, {
          feedback: [{ card: card.uuid, outcome, ...(reason ? { overrideReason: { reason } } : {}), outcomeTimestamp: new Date().toISOString() }],
        });
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'CDS feedback not delivered');
      }
    },
  };
}
