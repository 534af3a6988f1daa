import type { CapabilityStatement } from '@medplum/fhirtypes';
import type { Config, EndpointAuthConfig, HostedClientConfig, TenantConfig } from '../config/schema.js';
import { createAuthProvider, noAuth, type AuthProvider } from '../fhir/auth/index.js';
import { fetchSmartConfiguration, smartConfigurationUrl, type SmartConfiguration } from '../fhir/auth/smart-configuration.js';
import { FhirClient } from '../fhir/client.js';
import { FhirError, FhirHttpError, FhirTransportError } from '../fhir/errors.js';
import { createLogger } from '../observability/logger.js';
import { probeTransaction } from './behaviour-probes.js';
import { checkCapabilityStatement } from './capability-checks.js';
import { probeBehaviour, type BehaviourContext, type BehaviourTarget } from './probe-endpoint.js';
import { checkHostedRecord } from './hosted-checks.js';
import { checkAgencyClients } from './referral-api-checks.js';
import { checkReferralRoutes } from './route-checks.js';
import { checkTransport } from './transport-checks.js';
import type { RouteEndpoint } from '../referral-model/referral-routes.js';
import { checkBackendScopes, checkIntakeScopes, scopeOptions } from './scope-checks.js';
import { checkBackendConfiguration, checkEhrLaunchConfiguration } from './smart-checks.js';
import type { DoctorCheck, DoctorEndpoint, DoctorReport } from './types.js';
import { joinUrl, sameBase } from '../referral-model/references.js';

export interface DoctorOptions {
  /** Budget of each probe (ms); no retries, so a slow server shows up as such. Default 5 s. */
  timeoutMs?: number;
  /** Skip the behaviour probes (writes of unchanged content, a probe Subscription): declarations and tokens only. */
  readOnly?: boolean;
}

interface Target extends DoctorEndpoint, BehaviourTarget {
  auth: EndpointAuthConfig;
  /** Set for GP practices: the GP app is launched from this EHR (SMART App Launch). */
  launch?: { confidentialSymmetric: boolean; issAllowlist: string[]; smart: TenantConfig['smart'] };
  /** A link-worker endpoint's routing configuration: its directory's referral routes are reported. */
  routes?: RouteEndpoint;
  /** What SP Link does here beyond the basics, for the scope check. */
  work: { subscriptions?: boolean; workspace?: boolean; intake?: boolean };
  /** A link-worker record SP Link hosts: its backend clients. */
  hosted?: { backendClients: readonly HostedClientConfig[] };
}

type DoctorConfig = Pick<Config, 'tenants' | 'linkWorkerEndpoints'> & Partial<Pick<Config, 'workspace' | 'sandbox' | 'server' | 'reconcile' | 'intake'>>;

// Probes must not write their own warnings into the doctor's table output.
const quiet = createLogger({ level: 'silent' });

export function doctorTargets(config: DoctorConfig): Target[] {
  return [
    ...config.tenants.map((t) => ({
      label: `ehr:${t.id}`,
      kind: 'ehr' as const,
      fhirBase: t.ehr.fhirBase,
      auth: t.ehr.auth,
      launch: { confidentialSymmetric: Boolean(t.smart.clientSecret), issAllowlist: t.smart.issAllowlist, smart: t.smart },
      work: scopeOptions(config, 'ehr', t.id),
    })),
    ...config.linkWorkerEndpoints.map((e) => ({
      label: `link-worker:${e.id}`,
      kind: 'link-worker' as const,
      fhirBase: e.fhirBase,
      auth: e.auth,
      endpointId: e.id,
      subscriptions: e.subscriptions,
      routes: e,
      work: scopeOptions(config, 'link-worker', e.id),
      ...(e.hosted ? { hosted: { backendClients: e.backendClients } } : {}),
    })),
  ];
}

/** Why a probe failed, and what usually fixes it. */
function diagnose(err: unknown, url: string, timeoutMs: number): { detail: string; fix: string } {
  const origin = new URL(url).origin;
  if (err instanceof FhirTransportError) {
    if (err.code === 'ERR_FHIR_TIMEOUT') return { detail: `no answer within ${timeoutMs} ms`, fix: `Check that ${origin} is reachable from this host (firewall, proxy, VPN).` };
    if (err.sysCode === 'ECONNREFUSED') return { detail: 'connection refused', fix: `Nothing is listening at ${origin}: check fhirBase (host and port) and that the server is running.` };
    if (err.sysCode === 'ENOTFOUND' || err.sysCode === 'EAI_AGAIN') return { detail: `host name does not resolve (${err.sysCode})`, fix: `Check the host name in fhirBase (${origin}) and DNS.` };
    return { detail: err.message, fix: `Check network access to ${origin}.` };
  }
  if (err instanceof FhirHttpError) {
    if (err.status === 404) return { detail: `HTTP 404 for ${url}`, fix: 'fhirBase must be the FHIR base URL, the one `/metadata` is served under (e.g. https://fhir.example.nhs.uk/R4).' };
    if (err.status === 401 || err.status === 403) return { detail: `HTTP ${err.status}`, fix: 'The server refused SP Link\'s credentials; check the endpoint\'s auth settings and the scopes granted to the client.' };
    if (err.code === 'ERR_FHIR_BAD_RESPONSE') return { detail: 'the response is not FHIR JSON', fix: 'fhirBase points at something that is not a FHIR server; check the URL.' };
    return { detail: err.message, fix: 'The server answered with an error; see its logs.' };
  }
  if (err instanceof FhirError) return { detail: err.message, fix: 'See the message; check the endpoint configuration.' };
  return { detail: (err as Error).message, fix: 'Unexpected failure; check the endpoint configuration.' };
}

async function probeMetadata(t: Target, timeoutMs: number): Promise<{ check: DoctorCheck; cs?: CapabilityStatement }> {
  const url = joinUrl(t.fhirBase, 'metadata');
  const base = { endpoint: t.label, check: 'reachable: GET /metadata' };
  const retry = { timeoutMs, maxAttempts: 1 };
  try {
    let cs: CapabilityStatement;
    try {
      cs = await new FhirClient({ baseUrl: t.fhirBase, retry, logger: quiet }).capabilityStatement();
    } catch (err) {
      // Some servers protect /metadata; try again with SP Link's own credentials.
      if (!(err instanceof FhirHttpError && (err.status === 401 || err.status === 403)) || t.auth.type === 'none') throw err;
      const auth = await createAuthProvider(t.auth, t.fhirBase, { timeoutMs });
      cs = await new FhirClient({ baseUrl: t.fhirBase, retry, auth, logger: quiet }).capabilityStatement();
    }
    if (cs?.resourceType !== 'CapabilityStatement') {
      return { check: { ...base, status: 'FAIL', detail: `answered a ${String((cs as { resourceType?: unknown })?.resourceType ?? 'non-FHIR body')}`, fix: 'fhirBase must be the FHIR base URL, the one `/metadata` is served under.' } };
    }
    return { check: { ...base, status: 'PASS', detail: `${url} → CapabilityStatement` }, cs };
  } catch (err) {
    return { check: { ...base, status: 'FAIL', ...diagnose(err, url, timeoutMs) } };
  }
}

function needsSmartConfiguration(t: Target): boolean {
  const oauth = t.auth.type === 'client-credentials' || t.auth.type === 'smart-backend';
  return Boolean(t.launch) || (oauth && !('tokenUrl' in t.auth && t.auth.tokenUrl));
}

async function probeSmart(t: Target, timeoutMs: number): Promise<DoctorCheck[]> {
  const url = smartConfigurationUrl(t.fhirBase);
  const oauth = t.auth.type === 'client-credentials' || t.auth.type === 'smart-backend';
  if (!needsSmartConfiguration(t) && !oauth) return [];
  let smart: SmartConfiguration;
  try {
    smart = await fetchSmartConfiguration(t.fhirBase, { timeoutMs });
  } catch (err) {
    if (!needsSmartConfiguration(t)) {
      return [{ endpoint: t.label, check: 'SMART configuration', status: 'SKIP', detail: 'not published; tokenUrl is configured' }];
    }
    return [
      {
        endpoint: t.label,
        check: 'SMART configuration',
        status: 'FAIL',
        detail: (err as Error).message,
        fix: t.launch
          ? `The EHR must publish ${url} (SMART App Launch 2.x) for the GP app's launch.`
          : `Publish ${url}, or set auth.tokenUrl for this endpoint.`,
      },
    ];
  }
  const checks: DoctorCheck[] = [{ endpoint: t.label, check: 'SMART configuration', status: 'PASS', detail: url }];
  if (t.launch) {
    checks.push(...checkEhrLaunchConfiguration(t.label, smart, { confidentialSymmetric: t.launch.confidentialSymmetric, smart: t.launch.smart }));
  }
  checks.push(...checkBackendConfiguration(t.label, smart, t.auth));
  return checks;
}

/** A token with the configured (or chosen) client authentication method; the provider is kept for the behaviour probes. */
async function probeToken(t: Target, timeoutMs: number): Promise<{ checks: DoctorCheck[]; auth?: AuthProvider }> {
  const check = 'backend token obtainable';
  if (t.auth.type === 'none') return { checks: [{ endpoint: t.label, check, status: 'SKIP', detail: 'auth type none' }], auth: noAuth };
  if (t.auth.type === 'bearer') return { checks: [{ endpoint: t.label, check, status: 'SKIP', detail: 'static bearer token configured' }], auth: await createAuthProvider(t.auth, t.fhirBase) };
  if (t.auth.type === 'hosted') {
    return { checks: [{ endpoint: t.label, check, status: 'PASS', detail: 'SP Link signs its own tokens for the record it hosts' }], auth: await createAuthProvider(t.auth, t.fhirBase) };
  }
  try {
    const auth = await createAuthProvider(t.auth, t.fhirBase, { timeoutMs });
    await auth.authorization();
    const info = auth.info?.() ?? {};
    const how = info.tokenEndpointAuthMethod ? ` with ${info.tokenEndpointAuthMethod}${info.tokenEndpoint ? ` at ${info.tokenEndpoint}` : ''}` : '';
    return { checks: [{ endpoint: t.label, check, status: 'PASS', detail: `${t.auth.type} token issued for client ${t.auth.clientId}${how}` }], auth };
  } catch (err) {
    const fix =
      t.auth.type === 'smart-backend'
        ? 'Register SP Link\'s public key (JWKS) and client id with the authorization server, and check kid, alg, scope and the private key.'
        : 'Check clientId, clientSecret, scope and tokenUrl with the authorization server\'s administrator, and auth.tokenEndpointAuthMethod: a server that does not form-decode Basic credentials needs client_secret_post when the secret has characters other than letters, digits and -._*.';
    return { checks: [{ endpoint: t.label, check, status: 'FAIL', detail: (err as Error).message, fix }] };
  }
}

function allowlistCheck(t: Target): DoctorCheck[] {
  if (!t.launch) return [];
  const listed = t.launch.issAllowlist.some((a) => sameBase(a, t.fhirBase));
  return [
    {
      endpoint: t.label,
      check: 'SMART: EHR base on issAllowlist',
      status: listed ? 'PASS' : 'WARN',
      detail: listed ? 'ehr.fhirBase is an allowed iss' : 'ehr.fhirBase is not in smart.issAllowlist',
      ...(listed ? {} : { fix: 'Launches name the EHR\'s FHIR base as iss; add it to smart.issAllowlist unless the EHR launches with a different base.' }),
    },
  ];
}

interface Environment {
  sandbox: boolean;
  readOnly: boolean;
  behaviour: BehaviourContext;
}

async function checkEndpoint(t: Target, timeoutMs: number, env: Environment): Promise<DoctorCheck[]> {
  const transport = checkTransport(t.label, { fhirBase: t.fhirBase, auth: t.auth, ...(t.launch ? { issAllowlist: t.launch.issAllowlist } : {}) }, env.sandbox);
  const { check, cs } = await probeMetadata(t, timeoutMs);
  const checks: DoctorCheck[] = [...transport, check];
  const declared = cs ? checkCapabilityStatement(t.label, t.kind, cs) : [];
  if (cs) checks.push(...declared);
  else checks.push({ endpoint: t.label, check: 'CapabilityStatement checks', status: 'SKIP', detail: 'endpoint not reachable' });
  const [smart, token] = await Promise.all([probeSmart(t, timeoutMs), probeToken(t, timeoutMs)]);
  checks.push(...allowlistCheck(t), ...smart, ...checkBackendScopes(t.label, t.kind, t.auth, t.work), ...token.checks);
  // A practice intake sends to: the GP-record write needs create on three more types, as configured and as granted.
  if (t.work.intake) checks.push(...checkIntakeScopes(t.label, t.auth, token.auth?.info?.().grantedScope));
  if (t.hosted) checks.push(...(await checkHostedRecord(t.label, { fhirBase: t.fhirBase, backendClients: t.hosted.backendClients }, timeoutMs)));
  if (!cs || !token.auth) return checks;
  if (t.routes) {
    const reader = new FhirClient({ baseUrl: t.fhirBase, auth: token.auth, retry: { timeoutMs, maxAttempts: 1 }, logger: quiet });
    checks.push(...(await checkReferralRoutes(t.label, reader, t.routes)));
  }
  if (env.readOnly) {
    checks.push({ endpoint: t.label, check: 'behaviour probes', status: 'SKIP', detail: '--read-only: declarations only' });
    return checks;
  }
  // Declarations can be wrong either way: what SP Link relies on is tried (docs/INTEGRATION.md, "Reading the doctor").
  const client = new FhirClient({ baseUrl: t.fhirBase, auth: token.auth, retry: { timeoutMs, maxAttempts: 1 }, logger: quiet });
  if (declared.find((c) => c.check === 'supports transaction')?.status !== 'PASS') checks.push({ ...(await probeTransaction(t.label, client)), check: 'transaction works' });
  checks.push(...(await probeBehaviour(t, client, env.behaviour)));
  return checks;
}

/** Checks every configured endpoint (in parallel) and returns the results; never throws for a failing endpoint. */
export async function runDoctor(config: DoctorConfig, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const startedAt = new Date().toISOString();
  const timeoutMs = opts.timeoutMs ?? 5000;
  const targets = doctorTargets(config);
  const env: Environment = {
    sandbox: config.sandbox?.enabled ?? false,
    readOnly: opts.readOnly ?? false,
    behaviour: config.server && config.reconcile ? { webhook: { publicUrl: config.server.publicUrl, secret: config.reconcile.webhookSecret } } : {},
  };
  const perEndpoint = await Promise.all(targets.map((t) => checkEndpoint(t, timeoutMs, env)));
  const checks = [...perEndpoint.flat(), ...(config.intake?.enabled && config.intake.agencyClients.length ? await checkAgencyClients(config.intake.agencyClients, timeoutMs) : [])];
  return {
    ok: checks.every((c) => c.status !== 'FAIL'),
    startedAt,
    endpoints: targets.map(({ label, kind, fhirBase }) => ({ label, kind, fhirBase })),
    checks,
  };
}
