import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { Config } from '../config/schema.js';

/** A CSP source for frame-ancestors: an origin (scheme://host[:port]) or 'self'. Anything else is refused. */
const FRAME_SOURCE = /^(?:'self'|https?:\/\/(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?)$/;

export interface SecurityOptions {
  /** Origins allowed to frame SP Link pages (the EHRs' web origins). Empty → only same origin. */
  frameAncestors: readonly string[];
  /** Sends upgrade-insecure-requests and HSTS: true whenever SP Link is served over https. */
  https: boolean;
  /** Extra connect-src origins (e.g. a FHIR server the browser calls directly). Default none. */
  connectSrc?: readonly string[];
}

/** Union of every tenant's `frameAncestors`: where the GP app may be embedded. */
export function frameAncestorsFromConfig(config: Pick<Config, 'tenants'>): string[] {
  return [...new Set(config.tenants.flatMap((t) => t.frameAncestors))];
}

/**
 * helmet with SP Link's CSP. `frame-ancestors` (CSP Level 2) lets the configured EHRs embed the app;
 * X-Frame-Options is dropped in that case because it cannot express an allowlist and would block them.
 */
export function securityHeaders(opts: SecurityOptions): RequestHandler {
  for (const src of opts.frameAncestors) {
    if (!FRAME_SOURCE.test(src)) throw new Error(`invalid frame ancestor "${src}": expected an origin like https://ehr.example.nhs.uk`);
  }
  const embeddable = opts.frameAncestors.length > 0;
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", ...(opts.connectSrc ?? [])],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: [...new Set(["'self'", ...opts.frameAncestors])],
        ...(opts.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    xFrameOptions: embeddable ? false : { action: 'sameorigin' },
    strictTransportSecurity: opts.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a state-changing request may have come from a page of another site (OWASP CSRF Prevention, "Verifying
 * origin with standard headers"): `Origin` must be SP Link's public origin or the origin the request was addressed
 * to; without `Origin`, `Sec-Fetch-Site` must not say cross-site or same-site (another subdomain). A request with
 * neither header is not from a current browser and is left to the CSRF token. Safe methods always pass.
 */
export function crossOriginWrite(req: Request, publicUrl: string): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  const origin = req.get('origin');
  if (origin !== undefined) return origin !== new URL(publicUrl).origin && origin !== `${req.protocol}://${req.get('host') ?? ''}`;
  const site = req.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
}

/** Refuses cross-origin writes before any later middleware (session, body, route) sees them. */
export function sameOriginWrites(publicUrl: string, refuse: (req: Request, res: Response) => void): RequestHandler {
  return (req, res, next) => (crossOriginWrite(req, publicUrl) ? refuse(req, res) : next());
}
