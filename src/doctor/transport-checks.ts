import type { EndpointAuthConfig } from '../config/schema.js';
import type { DoctorCheck } from './types.js';

/**
 * Plain http outside sandbox mode (pure): FHIR bases, token URLs and allowed `iss` values must be https, since
 * tokens, client secrets and patient data travel over them. The embedded sandbox (sandbox.enabled) is exempt.
 */
export function checkTransport(endpoint: string, urls: { fhirBase: string; auth: EndpointAuthConfig; issAllowlist?: readonly string[] }, sandbox: boolean): DoctorCheck[] {
  const check = 'https everywhere';
  const named = [
    ['fhirBase', urls.fhirBase],
    ...('tokenUrl' in urls.auth && urls.auth.tokenUrl ? [['auth.tokenUrl', urls.auth.tokenUrl]] : []),
    ...(urls.issAllowlist ?? []).map((u) => ['smart.issAllowlist', u]),
  ] as [string, string][];
  const plain = named.filter(([, u]) => u.startsWith('http://'));
  if (plain.length === 0) return [{ endpoint, check, status: 'PASS', detail: 'every URL is https' }];
  const list = plain.map(([k, u]) => `${k} ${u}`).join(', ');
  if (sandbox) return [{ endpoint, check, status: 'SKIP', detail: `plain http allowed in sandbox mode: ${list}` }];
  return [
    {
      endpoint,
      check,
      status: 'FAIL',
      detail: `plain http outside sandbox mode: ${list}`,
      fix: 'Use the https:// URL of the server for each of these keys: tokens, client secrets and patient data must not travel in the clear.',
    },
  ];
}
