import type { Request } from 'express';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { Config, TenantConfig } from '../config/schema.js';
import { SpLinkError } from '../errors.js';
import type { AuthProvider } from '../fhir/auth/index.js';
import { needsRefresh, type LaunchSession } from './launch-steps.js';
import type { OidcConfigCache } from './oidc-config.js';

/** Refreshes in flight, by session id, so parallel API calls of one page share one refresh. */
const inflight = new Map<string, Promise<LaunchSession>>();

const saveSession = (req: Request) => new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));

/** The launch of this request, or 401 ERR_SESSION_EXPIRED (the UI then asks the GP to relaunch). */
export function requireLaunch(req: Request, config: Config): { launch: LaunchSession; tenant: TenantConfig } {
  const launch = req.session?.smart;
  const tenant = launch && config.tenants.find((t) => t.id === launch.tenantId);
  if (!launch || !tenant) throw new SpLinkError('ERR_SESSION_EXPIRED', 'Your SP Link session has ended. Open SP Link again from the patient record.', 401);
  return { launch, tenant };
}

/**
 * The GP's access token as a FhirClient auth provider (backend-for-frontend: the token never leaves the
 * server). Refreshes `REFRESH_SKEW_MS` before expiry and once after a 401; without a refresh token an
 * expired session is ERR_SESSION_EXPIRED.
 */
export function gpAuthProvider(req: Request, tenant: TenantConfig, oidc: OidcConfigCache, logger: Logger): AuthProvider {
  const refresh = async (current: LaunchSession): Promise<LaunchSession> => {
    if (!current.refreshToken) throw new SpLinkError('ERR_SESSION_EXPIRED', 'Your SP Link session has ended. Open SP Link again from the patient record.', 401);
    const key = req.sessionID;
    let p = inflight.get(key);
    if (!p) {
      p = (async () => {
        const cfg = await oidc.get(tenant, current.iss);
        let t: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
        try {
          t = await client.refreshTokenGrant(cfg, current.refreshToken!);
        } catch (err) {
          logger.warn({ tenantId: tenant.id, err: err instanceof client.ResponseBodyError ? err.error : (err as Error).name }, 'token refresh failed');
          throw new SpLinkError('ERR_SESSION_EXPIRED', 'Your SP Link session has ended. Open SP Link again from the patient record.', 401);
        }
        const next: LaunchSession = {
          ...current,
          accessToken: t.access_token,
          refreshToken: t.refresh_token ?? current.refreshToken,
          expiresAt: Date.now() + (t.expires_in && t.expires_in > 0 ? t.expires_in : 300) * 1000,
          scope: t.scope ?? current.scope,
        };
        req.session.smart = next;
        await saveSession(req);
        logger.info({ tenantId: tenant.id }, 'gp access token refreshed');
        return next;
      })().finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    const next = await p;
    req.session.smart = next;
    return next;
  };

  return {
    type: 'bearer',
    async authorization() {
      let s = req.session.smart;
      if (!s) throw new SpLinkError('ERR_SESSION_EXPIRED', undefined, 401);
      if (needsRefresh(s, Date.now())) s = await refresh(s);
      return `Bearer ${s.accessToken}`;
    },
    invalidate(rejected) {
      const s = req.session.smart;
      if (!s?.refreshToken || rejected !== `Bearer ${s.accessToken}`) return false;
      req.session.smart = { ...s, expiresAt: 0 };
      return true;
    },
  };
}
