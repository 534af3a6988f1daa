import type { Config, EndpointAuthConfig } from '../config/schema.js';
import type { DoctorCheck, EndpointKind } from './types.js';

/** One thing SP Link does at an endpoint with its backend identity, and the SMART v2 permissions it needs. */
export interface ScopeNeed {
  resource: string;
  /** SMART v2 permission letters, e.g. `crus`. */
  perms: string;
  why: string;
}

/**
 * What SP Link's backend client must be granted, per endpoint (least privilege: nothing more). These are the
 * scopes of config/default.yaml, which the sandbox enforces end to end.
 */
export function scopeNeeds(kind: EndpointKind, opts: { subscriptions?: boolean; workspace?: boolean } = {}): ScopeNeed[] {
  if (kind === 'ehr') {
    return [
      { resource: 'ServiceRequest', perms: 'rus', why: 'reconciler: referral status' },
      { resource: 'Observation', perms: 'crus', why: 'reconciler: outcome measures copied into the record, and their corrections' },
      { resource: 'Communication', perms: 'cr', why: 'reconciler: messages to the referring GP' },
      { resource: 'Flag', perms: 'cr', why: 'reconciler: safeguarding flags' },
      { resource: 'Provenance', perms: 'c', why: 'reconciler: provenance of every write' },
      { resource: 'Patient', perms: 'rs', why: 'reconciler: patient by NHS number' },
      { resource: 'Encounter', perms: 'rs', why: 'reports: GP appointments before and after referral' },
    ];
  }
  return [
    { resource: 'Task', perms: 'crus', why: 'referral Tasks: delivery, status, cancellation' },
    { resource: 'Observation', perms: opts.workspace ? 'crus' : 'rs', why: opts.workspace ? 'workspace: outcome measures and corrections; reconciler: reads them' : 'reconciler: outcome measures' },
    { resource: 'HealthcareService', perms: 'rs', why: 'GP app: service directory' },
    { resource: 'Provenance', perms: 'c', why: 'provenance of SP Link’s writes' },
    ...(opts.subscriptions ? [{ resource: 'Subscription', perms: 'cruds', why: 'reconciler: rest-hook subscription' }] : []),
  ];
}

/**
 * What a practice's EHR client must also be allowed when intake sends there: a referral the GP did not make is
 * written into the GP record (src/referrals/gp-record.ts) as a ServiceRequest, a Communication and a Provenance.
 */
export const INTAKE_EHR_NEEDS: readonly ScopeNeed[] = [
  { resource: 'ServiceRequest', perms: 'c', why: 'intake: the referral the person or an agency made, in the GP record' },
  { resource: 'Communication', perms: 'c', why: 'intake: the message telling the practice of that referral' },
  { resource: 'Provenance', perms: 'c', why: 'intake: who made that referral' },
];

const V1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };

/**
 * Permissions a scope string grants to a system client, by resource type (`*` for all). Reads SMART v2
 * (`system/Observation.crus`) and v1 (`system/Observation.read`, `.write`, `.*`); a query-constrained scope
 * (`?category=…`) counts as the permission without its constraint.
 */
export function grantedPermissions(scope: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of scope.split(/\s+/).filter(Boolean)) {
    const m = /^system\/([A-Za-z]+|\*)\.([a-z*]+)(?:\?.*)?$/.exec(s);
    if (!m) continue;
    const letters = V1[m[2]!] ?? (/^c?r?u?d?s?$/.test(m[2]!) ? m[2]! : '');
    const set = out.get(m[1]!) ?? new Set<string>();
    for (const l of letters) set.add(l);
    out.set(m[1]!, set);
  }
  return out;
}

/** The needs a scope string does not cover, each with the letters missing. */
export function missingScopes(scope: string, needs: readonly ScopeNeed[]): (ScopeNeed & { missing: string })[] {
  const granted = grantedPermissions(scope);
  return needs.flatMap((n) => {
    const have = new Set([...(granted.get(n.resource) ?? []), ...(granted.get('*') ?? [])]);
    const missing = [...n.perms].filter((l) => !have.has(l)).join('');
    return missing ? [{ ...n, missing }] : [];
  });
}

/**
 * Doctor check: the configured backend scope covers what SP Link does at this endpoint. A missing permission
 * is a FAIL: the first write that needs it would be refused (403) and land in the dead-letter store.
 */
export function checkBackendScopes(
  label: string,
  kind: EndpointKind,
  auth: EndpointAuthConfig,
  opts: { subscriptions?: boolean; workspace?: boolean },
): DoctorCheck[] {
  const check = 'backend scopes cover SP Link’s work';
  if (auth.type !== 'smart-backend' && auth.type !== 'client-credentials') {
    return [{ endpoint: label, check, status: 'SKIP', detail: `auth type ${auth.type} names no scopes` }];
  }
  const missing = missingScopes(auth.scope, scopeNeeds(kind, opts));
  if (missing.length === 0) return [{ endpoint: label, check, status: 'PASS', detail: auth.scope }];
  return [
    {
      endpoint: label,
      check,
      status: 'FAIL',
      detail: missing.map((m) => `${m.resource} lacks ${m.missing} (${m.why})`).join('; '),
      fix: `Add ${missing.map((m) => `system/${m.resource}.${m.perms}`).join(' ')} to auth.scope, and have the server grant them.`,
    },
  ];
}

/**
 * Doctor check for a practice that intake sends referrals to (`intake.linkWorkerEndpoint` is the practice's
 * link-worker endpoint): its EHR client may create what the GP-record write holds, both as configured and as the
 * token response granted. Without it each matched, agreed referral's write is refused (403) and dead-lettered.
 */
export function checkIntakeScopes(label: string, auth: EndpointAuthConfig, grantedScope: string | undefined): DoctorCheck[] {
  const check = 'intake: GP-record writes allowed by scope';
  if (auth.type !== 'smart-backend' && auth.type !== 'client-credentials') {
    return [{ endpoint: label, check, status: 'SKIP', detail: `auth type ${auth.type} names no scopes` }];
  }
  const wanted = INTAKE_EHR_NEEDS.map((n) => `system/${n.resource}.${n.perms}`).join(' ');
  const configured = missingScopes(auth.scope, INTAKE_EHR_NEEDS);
  if (configured.length) {
    return [{
      endpoint: label, check, status: 'FAIL',
      detail: `configured scope lacks ${configured.map((m) => `${m.resource}.${m.missing} (${m.why})`).join('; ')}`,
      fix: `Self-referrals and agency referrals matched to this practice's patients are written into its EHR. Add ${wanted} to this tenant's ehr.auth.scope and have the EHR grant them, or send intake (intake.linkWorkerEndpoint) elsewhere; until then each such write is refused and dead-lettered.`,
    }];
  }
  if (grantedScope === undefined) return [{ endpoint: label, check, status: 'PASS', detail: 'configured; the token response named no scope, so it granted what was asked' }];
  const granted = missingScopes(grantedScope, INTAKE_EHR_NEEDS);
  if (granted.length) {
    return [{
      endpoint: label, check, status: 'FAIL',
      detail: `the EHR granted "${grantedScope}", without ${granted.map((m) => `${m.resource}.${m.missing}`).join(', ')}`,
      fix: `Ask the EHR's administrator to grant SP Link's client ${wanted}: the configured scope asks for them, the token did not carry them, so every GP-record write of a self-referral or agency referral would be refused and dead-lettered.`,
    }];
  }
  return [{ endpoint: label, check, status: 'PASS', detail: `granted: ${INTAKE_EHR_NEEDS.map((n) => `${n.resource}.${n.perms}`).join(', ')}` }];
}

/** Options for an endpoint's scope check from the config. */
export function scopeOptions(
  config: Partial<Pick<Config, 'workspace' | 'linkWorkerEndpoints' | 'tenants' | 'intake'>>,
  kind: EndpointKind,
  id: string,
): { subscriptions?: boolean; workspace?: boolean; intake?: boolean } {
  if (kind === 'ehr') {
    const t = config.tenants?.find((x) => x.id === id);
    return { intake: Boolean(config.intake?.enabled && t && t.linkWorkerEndpoint === config.intake.linkWorkerEndpoint) };
  }
  const e = config.linkWorkerEndpoints?.find((x) => x.id === id);
  return { subscriptions: e?.subscriptions.enabled ?? false, workspace: Boolean(config.workspace?.enabled && config.workspace.linkWorkerEndpoint === id) };
}
