import { FhirAuthError } from '../errors.js';
import { joinUrl } from '../../referral-model/references.js';

/** `/.well-known/smart-configuration` (SMART App Launch 2.x §2.1; Backend Services reuses it). */
export interface SmartConfiguration {
  issuer?: string;
  jwks_uri?: string;
  authorization_endpoint?: string;
  token_endpoint: string;
  token_endpoint_auth_methods_supported?: string[];
  token_endpoint_auth_signing_alg_values_supported?: string[];
  grant_types_supported?: string[];
  scopes_supported?: string[];
  response_types_supported?: string[];
  capabilities?: string[];
  code_challenge_methods_supported?: string[];
  [key: string]: unknown;
}

export function smartConfigurationUrl(fhirBase: string): string {
  return joinUrl(fhirBase, '.well-known/smart-configuration');
}

/** Fetches and minimally checks the SMART configuration of a FHIR base. Time budget: `timeoutMs` (default 5 s), no retries. */
export async function fetchSmartConfiguration(fhirBase: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<SmartConfiguration> {
  const url = smartConfigurationUrl(fhirBase);
  const signals = [AbortSignal.timeout(opts.timeoutMs ?? 5000), ...(opts.signal ? [opts.signal] : [])];
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.any(signals) });
  } catch (err) {
    throw new FhirAuthError(`could not fetch ${url}: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`, true, err);
  }
  if (!res.ok) throw new FhirAuthError(`${url} answered HTTP ${res.status}`, res.status >= 500 || res.status === 429);
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw new FhirAuthError(`${url} did not return JSON`, false, err);
  }
  const cfg = body as Partial<SmartConfiguration> | null;
  if (!cfg || typeof cfg !== 'object' || typeof cfg.token_endpoint !== 'string') {
    throw new FhirAuthError(`${url} has no token_endpoint`, false);
  }
  return cfg as SmartConfiguration;
}
