import type { Response } from 'express';

/**
 * Adds `origins` to the `form-action` directive of the response's Content-Security-Policy (set by the app's
 * security headers). Browsers apply `form-action` to the redirects that follow a form post too, so the sign-out
 * form, which ends at the IdP's end-session endpoint, needs the IdP's origin there.
 */
export function allowFormAction(res: Response, origins: readonly string[]): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp !== 'string' || origins.length === 0) return;
  const directives = csp.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return name === 'form-action' ? [name, ...new Set([...values, ...origins])].join(' ') : d;
  });
  res.setHeader('Content-Security-Policy', directives.join(';'));
}
