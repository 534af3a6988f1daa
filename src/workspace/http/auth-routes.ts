import express, { type Request, type Response, type NextFunction } from 'express';
import { STRATEGY_NAME, type StaffLogin, type StaffSignIn } from '../auth/oidc.js';
import { SESSION_COOKIE, regenerate, saveSession, wsSession } from '../auth/session.js';
import { recordAudit } from '../../store/audit.js';
import { signedOutPage, signInPage } from '../views/misc-pages.js';
import { requireActor, requireCsrf, safeReturn } from './guards.js';
import type { WorkspaceDeps } from './context.js';
import { homeOf } from '../domain/actor.js';

/** Sign-in, the OIDC callback, sign-out (here and at the IdP) and the signed-out page. */
export function authRoutes(deps: WorkspaceDeps, login: StaffLogin): express.Router {
  const r = express.Router();

  r.get('/sign-in', (req, res) => {
    if (req.session.ws?.actor) return res.redirect(303, homeOf(req.session.ws.actor));
    const reason = ['expired', 'signed-out', 'failed'].includes(String(req.query.reason)) ? (req.query.reason as 'expired') : undefined;
    const returnTo = safeReturn(req.query.returnTo);
    res.type('html').send(signInPage({ reason, workKept: Boolean(req.session.ws?.stash), ...(returnTo ? { returnTo } : {}) }));
  });

  r.get('/login', (req: Request, res: Response, next: NextFunction) => {
    // The sign-in starts here, so here the (short-lived, bounded: DbSessionStore preLogin) session begins.
    const returnTo = safeReturn(req.query.returnTo);
    if (returnTo) wsSession(req).returnTo = returnTo;
    login.ready().then(() => login.passport.authenticate(STRATEGY_NAME)(req, res, next), next);
  });

  r.get('/callback', (req: Request, res: Response, next: NextFunction) => {
    login.ready().then(() => {
      login.passport.authenticate(STRATEGY_NAME, (err: unknown, user: StaffSignIn | false, info?: { message?: string }) => {
        if (err) {
          deps.logger.warn({ err }, 'workspace sign-in failed');
          return res.redirect(303, '/workspace/sign-in?reason=failed');
        }
        if (!user) {
          deps.logger.warn({ reason: info?.message }, 'workspace sign-in refused');
          return res.status(403).type('html').send(signInPage({ reason: 'failed' }));
        }
        void finishSignIn(req, res, user).catch(next);
      })(req, res, next);
    }, next);
  });

  async function finishSignIn(req: Request, res: Response, { actor, idToken }: StaffSignIn): Promise<void> {
    const before = req.session.ws ?? {};
    // New session id after sign-in (session fixation); keep only the return path and stashed work.
    await regenerate(req);
    const ws = wsSession(req);
    ws.actor = actor;
    if (idToken) ws.idToken = idToken;
    if (before.stash) ws.stash = before.stash;
    const returnTo = safeReturn(before.returnTo) ?? homeOf(actor);
    await saveSession(req);
    await recordAudit(deps.db, { actor: actor.sub, action: 'workspace.sign-in', details: { org: actor.orgOds, roles: actor.roles } });
    res.redirect(303, returnTo);
  }

  // Sign-out ends SP Link's session and then the IdP's (OpenID Connect RP-Initiated Logout 1.0): otherwise the
  // next "Sign in" on a shared computer would silently sign the previous user back in through the IdP's session.
  r.post('/logout', requireActor, requireCsrf, (req, res, next) => {
    const { actor, idToken } = req.session.ws ?? {};
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(SESSION_COOKIE, { path: '/workspace' });
      if (actor) void recordAudit(deps.db, { actor: actor.sub, action: 'workspace.sign-out' }).catch(() => undefined);
      login.endSessionUrl(idToken).then(
        (url) => res.redirect(303, url?.href ?? '/workspace/signed-out?idp=kept'),
        (e: unknown) => {
          deps.logger.warn({ err: e }, 'identity provider unreachable at sign-out; its session may still be active');
          res.redirect(303, '/workspace/signed-out?idp=kept');
        },
      );
    });
  });

  // Where the IdP returns after signing out (the registered post_logout_redirect_uri).
  r.get('/signed-out', (req, res) => {
    if (req.session.ws?.actor) return res.redirect(303, homeOf(req.session.ws.actor));
    res.type('html').send(signedOutPage({ idpSessionKept: req.query.idp === 'kept' }));
  });

  return r;
}
