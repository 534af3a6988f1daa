import { Router, type Request, type RequestHandler, type Response } from 'express';
import { MemoryStore, rateLimit, type Store } from 'express-rate-limit';
import type { Config } from '../config/schema.js';
import { ERRORS, errorBody, SpLinkError } from '../errors.js';
import type { Db } from '../store/db.js';
import { DbRateLimitStore } from '../store/rate-limit-store.js';
import { BODY_LIMITS, formBody } from './body-limits.js';
import { escapeHtml } from './html.js';

/** Where each group of limits applies (paths as Express matches them; the areas own them, system.ts passes them). */
export interface RateLimitPaths {
  /** GET routes that start or finish a sign-in. */
  login: string[];
  /** OAuth token endpoints (POST). */
  token: string[];
  /** The rest-hook route, with an `:endpointId` parameter. */
  webhook: string;
  /** Public form posts carrying a `username` field (urlencoded). */
  forms: string[];
  /** The public referral forms' posts (per IP; the per-contact limit is the intake's, on the referrals it keeps). */
  referrals?: string[];
}

export interface RateLimits {
  /** Mount on the app root before the areas. */
  readonly router: Router;
  close(): void;
}

/**
 * SP Link's rate limits (config `rateLimits`, docs/CONFIGURATION.md): per IP on every group, and per OAuth client,
 * endpoint or account where the request names one. Over the limit: 429 with `Retry-After`, an NHS-styled page for a
 * person's browser and `ERR_RATE_LIMITED` JSON for everything else. With PostgreSQL as the store the counters live
 * there, so N instances allow the configured amount, not N times it.
 */
export function createRateLimits(opts: { config: Pick<Config, 'rateLimits'>; db: Db; paths: RateLimitPaths; knownEndpoints: readonly string[] }): RateLimits {
  const cfg = opts.config.rateLimits;
  const router = Router();
  const stores: Store[] = [];
  if (!cfg.enabled) return { router, close: () => undefined };
  const windowMs = cfg.windowSeconds * 1000;
  const store = (name: string): Store => {
    const s = rateLimitStore(opts.db, name);
    stores.push(s);
    return s;
  };
  const limiter = (name: string, limit: number, key?: (req: Request) => string | undefined): RequestHandler =>
    rateLimit({
      windowMs,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: name,
      store: store(name),
      // Per-key limiters skip requests that name no key (the per-IP limiter still counts them).
      ...(key ? { keyGenerator: (req: Request) => key(req) ?? '', skip: (req: Request) => key(req) === undefined } : {}),
      // A store failure must not take sign-in down with it: the request goes through, the failure is logged by the limiter.
      passOnStoreError: true,
      handler: tooMany,
      // server.trustProxy is the operator's statement about their proxy (docs/CONFIGURATION.md); no console warning.
      validate: { trustProxy: false, ...(key ? { keyGeneratorIpFallback: false } : {}) },
    });

  router.get(opts.paths.login, limiter('login-ip', cfg.login.perIp));
  router.post(opts.paths.token, limiter('token-ip', cfg.token.perIp), limiter('token-client', cfg.token.perClient, basicClientId));
  const known = new Set(opts.knownEndpoints);
  router.post(
    opts.paths.webhook,
    limiter('webhook-ip', cfg.webhook.perIp),
    // Unknown ids share one key, so made-up ids cannot each get their own allowance.
    limiter('webhook-endpoint', cfg.webhook.perEndpoint, (req) => {
      const id = String(req.params.endpointId);
      return known.has(id) ? id : 'unknown';
    }),
  );
  router.post(
    opts.paths.forms,
    formBody(BODY_LIMITS.signInForm),
    limiter('forms-ip', cfg.forms.perIp),
    limiter('forms-account', cfg.forms.perAccount, (req) => {
      const name = (req.body as Record<string, unknown> | undefined)?.username;
      return typeof name === 'string' && name.trim() ? name.trim().toLowerCase().slice(0, 200) : undefined;
    }),
  );
  if (opts.paths.referrals?.length) router.post(opts.paths.referrals, limiter('referrals-ip', cfg.referrals.perIp));
  return {
    router,
    close() {
      for (const s of stores) void s.shutdown?.();
    },
  };
}

/** A limiter's counters: in PostgreSQL when that is the store (shared by every instance), in memory with the embedded one. */
export function rateLimitStore(db: Db, name: string): Store {
  return db.kind === 'postgres' ? new DbRateLimitStore(db, `${name}:`) : new MemoryStore();
}

/** The client id of HTTP Basic client credentials (RFC 6749 §2.3.1: form-encoded inside Basic), if any. */
function basicClientId(req: Request): string | undefined {
  const h = req.get('authorization');
  if (!h || !/^basic /i.test(h)) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const id = decoded.split(':')[0];
  if (!id) return undefined;
  try {
    return decodeURIComponent(id.replace(/\+/g, ' ')).slice(0, 200);
  } catch {
    return id.slice(0, 200);
  }
}

/** Pages a person opens (a browser GET asking for HTML) get a page; APIs, token requests and webhooks get JSON. */
function wantsPage(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['json', 'html']) === 'html';
}

function tooMany(req: Request, res: Response): void {
  const e = new SpLinkError('ERR_RATE_LIMITED');
  res.status(ERRORS.ERR_RATE_LIMITED.status).set('cache-control', 'no-store');
  if (!wantsPage(req)) {
    res.json(errorBody(e));
    return;
  }
  const seconds = Number(res.getHeader('retry-after')) || 60;
  res.type('html').send(rateLimitedPage(seconds));
}

/** The 429 page, in NHS design system markup: what happened, that nothing is wrong with the user's record, when to retry. */
export function rateLimitedPage(retryAfterSeconds: number): string {
  const wait = retryAfterSeconds <= 60 ? 'a minute' : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too many attempts – SP Link</title><link rel="stylesheet" href="/app/nhsuk/nhsuk-frontend.min.css"></head>
<body><div class="nhsuk-width-container"><main class="nhsuk-main-wrapper" id="maincontent">
<h1 class="nhsuk-heading-l">Too many attempts</h1>
<p>SP Link has had too many requests from your network in a short time, so it has paused for a moment to keep everyone’s records safe.</p>
<div class="nhsuk-inset-text"><h2 class="nhsuk-heading-s">What you can do</h2><p>${escapeHtml(`Wait ${wait}, then try again. If you see this often, tell IT support.`)}</p></div>
<p class="nhsuk-body-s">Error code: <code>ERR_RATE_LIMITED</code></p>
</main></div></body></html>`;
}
