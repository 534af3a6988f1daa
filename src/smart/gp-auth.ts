import type { Request } from 'express';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { Config, TenantConfig } from '../config/schema.js';
import { SpLinkError } from '../errors.js';
import type { AuthProvider } from '../fhir/auth/index.js';
import { needsRefresh } from './launch-steps.js';
import type { GpLaunch, LaunchStore } from './launch-store.js';
import type { OidcConfigCache } from './oidc-config.js';

/** The header naming which of the browser's launches (EHR windows) an API call belongs to. */
export const LAUNCH_HEADER = 'x-sp-link-context';

const HANDLE = /^[A-Za-z0-9_-]{16,64}$/;
const expired = () => new SpLinkError('ERR_SESSION_EXPIRED');

/** One API request's launch: mutable so a refresh within the request is seen by its later FHIR calls. */
export interface RequestLaunch {
  handle: string;
  launch: GpLaunch;
  tenant: TenantConfig;
}

/**
 * The launch this request belongs to, or 401 ERR_SESSION_EXPIRED (the app then asks the GP to relaunch).
 * The handle must be one this browser session opened: a handle alone, without the session cookie, is nothing.
 */
export async function requireLaunch(req: Request, config: Config, store: LaunchStore): Promise<RequestLaunch> {
  const handle = req.get(LAUNCH_HEADER);
  if (!handle || !HANDLE.test(handle) || !req.session?.smartLaunches?.includes(handle)) throw expired();
  const launch = await store.use(handle);
  const tenant = launch && config.tenants.find((t) => t.id === launch.tenantId);
  if (!launch || !tenant) throw expired();
  return { handle, launch, tenant };
}

/** Refreshes in flight, by launch, so parallel API calls of one window share one refresh. */
const inflight = new Map<string, Promise<GpLaunch>>();

/**
 * The GP's access token as a FhirClient auth provider (backend-for-frontend: the token never leaves the
 * server). Refreshes `REFRESH_SKEW_MS` before expiry and once after a 401; without a refresh token an
 * expired launch is ERR_SESSION_EXPIRED. The refresh runs under the launch row's lock, so an instance that
 * finds the token already refreshed by another uses that one instead of spending the refresh token twice.
 */
export function gpAuthProvider(rl: RequestLaunch, store: LaunchStore, oidc: OidcConfigCache, logger: Logger): AuthProvider {
  const { handle, tenant } = rl;
  const refresh = (stale: GpLaunch): Promise<GpLaunch> => {
    let p = inflight.get(handle);
    if (!p) {
      p = (async () => {
        const next = await store.update(handle, async (current) => {
          // Someone else refreshed since this request read the launch: use theirs.
          if (current.accessToken !== stale.accessToken && !needsRefresh(current, Date.now())) return current;
          if (!current.refreshToken) throw expired();
          const cfg = await oidc.get(tenant, current.iss);
          let t: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
          try {
            t = await client.refreshTokenGrant(cfg, current.refreshToken);
          } catch (err) {
            logger.warn({ tenantId: tenant.id, err: err instanceof client.ResponseBodyError ? err.error : (err as Error).name }, 'token refresh failed');
            throw expired();
          }
          logger.info({ tenantId: tenant.id }, 'gp access token refreshed');
          return {
            ...current,
            accessToken: t.access_token,
            refreshToken: t.refresh_token ?? current.refreshToken,
            expiresAt: Date.now() + (t.expires_in && t.expires_in > 0 ? t.expires_in : 300) * 1000,
            scope: t.scope ?? current.scope,
          };
        });
        if (!next) throw expired();
        return next;
      })().finally(() => inflight.delete(handle));
      inflight.set(handle, p);
    }
    return p.then((next) => (rl.launch = next));
  };

  return {
    type: 'bearer',
    async authorization() {
      let s = rl.launch;
      if (needsRefresh(s, Date.now())) s = await refresh(s);
      return `Bearer ${s.accessToken}`;
    },
    invalidate(rejected) {
      const s = rl.launch;
      if (!s.refreshToken || rejected !== `Bearer ${s.accessToken}`) return false;
      // The EHR refused a token we thought valid (revoked, clock skew): refresh on the retry.
      rl.launch = { ...s, expiresAt: 0 };
      return true;
    },
  };
}
