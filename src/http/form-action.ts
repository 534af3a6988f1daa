import type { Response } from 'express';

/**
 * Adds `origins` to the `form-action` directive of the response's Content-Security-Policy (set by the app's
 * security headers). Browsers apply `form-action` to the redirects that follow a form post too, so the sign-out
 * form, which ends at the IdP's end-session endpoint, needs the IdP's origin there.
 */
export function allowFormAction(res: Response, origins: readonly string[]): void {
  if (origins.length) editCsp(res, 'form-action', (values) => [...new Set([...values, ...origins])]);
}

/**
 * The workspace is never framed, not even by SP Link's own pages: CSP `frame-ancestors 'none'` (what browsers follow)
 * and `X-Frame-Options: DENY` (for those that only know the older header) say the same thing.
 */
export function forbidFraming(res: Response): void {
  editCsp(res, 'frame-ancestors', () => ["'none'"]);
  res.setHeader('X-Frame-Options', 'DENY');
}

function editCsp(res: Response, directive: string, edit: (values: string[]) => string[]): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp !== 'string') return;
  const directives = csp.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return name === directive ? [name, ...edit(values)].join(' ') : d;
  });
  res.setHeader('Content-Security-Policy', directives.join(';'));
}
