import type { HostedClientConfig } from '../config/schema.js';
import { fetchSmartConfiguration } from '../fhir/auth/smart-configuration.js';
import { joinUrl } from '../referral-model/references.js';
import type { DoctorCheck } from './types.js';

/**
 * Checks of a link-worker record SP Link hosts (`hosted: true`): that it publishes SMART Backend Services discovery,
 * that it refuses a request without a token, and that each registered backend client's keys can be read and its
 * scopes are not wider than a system should hold.
 */
export async function checkHostedRecord(
  label: string,
  record: { fhirBase: string; backendClients: readonly HostedClientConfig[] },
  timeoutMs: number,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  try {
    const smart = await fetchSmartConfiguration(record.fhirBase, { timeoutMs });
    const ok = Boolean(smart.token_endpoint) && (smart.token_endpoint_auth_methods_supported ?? []).includes('private_key_jwt');
    checks.push({
      endpoint: label,
      check: 'hosted: SMART Backend Services discovery',
      status: ok ? 'PASS' : 'FAIL',
      detail: ok ? `token endpoint ${smart.token_endpoint}` : 'smart-configuration lacks the token endpoint or private_key_jwt',
      ...(ok ? {} : { fix: 'The address answering fhirBase is not this SP Link: check server.publicUrl and the proxy in front of SP Link.' }),
    });
  } catch (err) {
    checks.push({
      endpoint: label,
      check: 'hosted: SMART Backend Services discovery',
      status: 'FAIL',
      detail: (err as Error).message,
      fix: 'SP Link must reach its own server.publicUrl (the record is served there); check publicUrl, DNS and the proxy.',
    });
  }
  checks.push(await anonymousRefused(label, record.fhirBase, timeoutMs));
  for (const c of record.backendClients) checks.push(await clientKeys(label, c, timeoutMs), clientScopes(label, c));
  return checks;
}

async function anonymousRefused(label: string, fhirBase: string, timeoutMs: number): Promise<DoctorCheck> {
  const check = 'hosted: no access without a token';
  try {
    const res = await fetch(joinUrl(fhirBase, 'Task?_count=1'), { headers: { accept: 'application/fhir+json' }, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    if (res.status === 401) return { endpoint: label, check, status: 'PASS', detail: 'GET Task without a token → 401' };
    return {
      endpoint: label,
      check,
      status: 'FAIL',
      detail: `GET Task without a token → HTTP ${res.status}`,
      fix: 'Something in front of SP Link answers for the record or strips Authorization; the record must refuse anonymous requests.',
    };
  } catch (err) {
    return { endpoint: label, check, status: 'FAIL', detail: (err as Error).message, fix: 'SP Link must reach its own server.publicUrl.' };
  }
}

const SIGNING_KTY = new Set(['RSA', 'EC']);

/** Whether a registered backend client's public keys can be read and are usable (RS384/ES384, never a private key). */
export async function clientKeys(label: string, c: HostedClientConfig, timeoutMs: number, what = 'hosted: backend client'): Promise<DoctorCheck> {
  const check = `${what} ${c.clientId} keys`;
  let keys: unknown[];
  if (c.jwks) {
    keys = c.jwks.keys;
  } else {
    try {
      const res = await fetch(c.jwksUrl!, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status} from ${c.jwksUrl}`);
      const body = (await res.json()) as { keys?: unknown };
      keys = Array.isArray(body.keys) ? body.keys : [];
    } catch (err) {
      return {
        endpoint: label,
        check,
        status: 'FAIL',
        detail: (err as Error).message,
        fix: `SP Link fetches ${c.name}'s public keys from jwksUrl when it asks for a token; make it reachable from SP Link's hosts, or register the keys inline (jwks).`,
      };
    }
  }
  const usable = keys.filter((k) => {
    const jwk = k as { kty?: unknown; d?: unknown };
    return typeof jwk.kty === 'string' && SIGNING_KTY.has(jwk.kty) && jwk.d === undefined;
  });
  const leaked = keys.some((k) => (k as { d?: unknown }).d !== undefined);
  if (leaked) {
    return { endpoint: label, check, status: 'FAIL', detail: 'the JWK Set holds a private key', fix: `Register only ${c.name}'s public keys; replace the leaked key pair.` };
  }
  if (usable.length === 0) {
    return { endpoint: label, check, status: 'FAIL', detail: 'no RSA or EC public key', fix: `${c.name} signs its assertions with RS384 or ES384: register that public key.` };
  }
  return { endpoint: label, check, status: 'PASS', detail: `${usable.length} public key${usable.length === 1 ? '' : 's'} (${c.jwksUrl ?? 'inline'})` };
}

function clientScopes(label: string, c: HostedClientConfig): DoctorCheck {
  const check = `hosted: backend client ${c.clientId} scopes`;
  const wide = c.scopes.split(' ').filter((s) => s.startsWith('system/*.'));
  if (wide.length === 0) return { endpoint: label, check, status: 'PASS', detail: c.scopes };
  return {
    endpoint: label,
    check,
    status: 'WARN',
    detail: `${wide.join(' ')} reaches every resource type`,
    fix: `Least privilege: name the types ${c.name} needs, e.g. system/Task.rs system/Observation.rs.`,
  };
}
