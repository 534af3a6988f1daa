import type { AgencyClientConfig } from '../config/schema.js';
import { clientKeys } from './hosted-checks.js';
import { grantedPermissions, missingScopes } from './scope-checks.js';
import type { DoctorCheck } from './types.js';

/**
 * Checks of the referral API's agency clients (`intake.agencyClients`): each one's public keys can be read, and its
 * scopes let it post a referral and nothing more (the API offers nothing else, so a wider scope is a mistake).
 */
export async function checkAgencyClients(clients: readonly AgencyClientConfig[], timeoutMs: number): Promise<DoctorCheck[]> {
  const label = 'referral-api';
  const checks: DoctorCheck[] = [];
  for (const c of clients) {
    checks.push(await clientKeys(label, c, timeoutMs, 'agency client'), agencyScopes(label, c));
  }
  return checks;
}

function agencyScopes(label: string, c: AgencyClientConfig): DoctorCheck {
  const check = `agency client ${c.clientId} scopes`;
  if (missingScopes(c.scopes, [{ resource: 'ServiceRequest', perms: 'c', why: 'post a referral' }]).length) {
    return { endpoint: label, check, status: 'FAIL', detail: `${c.scopes} does not allow posting a referral`, fix: `Give ${c.organisation.name}'s system the scope system/ServiceRequest.c.` };
  }
  const extra = [...grantedPermissions(c.scopes)].some(([type, perms]) => type !== 'ServiceRequest' || [...perms].some((p) => p !== 'c'));
  if (extra) {
    return { endpoint: label, check, status: 'WARN', detail: `${c.scopes} is wider than the API needs`, fix: 'Least privilege: the referral API only creates referrals; register system/ServiceRequest.c alone.' };
  }
  return { endpoint: label, check, status: 'PASS', detail: c.scopes };
}
