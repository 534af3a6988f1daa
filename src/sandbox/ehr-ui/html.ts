/** Minimal server-side HTML: a tagged template that escapes every interpolated value unless it is already Html. */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function render(v: unknown): string {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export interface LayoutOptions {
  title: string;
  /** Header text, e.g. the sandbox system's name. */
  service: string;
  body: Html;
  /** Extra stylesheet served from /sandbox/assets/. */
  stylesheet?: string;
}

/** A page in NHS design-system styling, marked as sandbox in the header. No inline script or style (CSP). */
export function layout(o: LayoutOptions): string {
  return html`<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${o.title} – ${o.service}</title>
  <link rel="stylesheet" href="/sandbox/assets/nhsuk-frontend.min.css">
  <link rel="stylesheet" href="/sandbox/assets/${o.stylesheet ?? 'sandbox.css'}">
</head>
<body>
<a class="nhsuk-skip-link" href="#maincontent">Skip to main content</a>
<header class="nhsuk-header sbx-header" role="banner">
  <div class="nhsuk-header__container nhsuk-width-container">
    <div class="nhsuk-header__service">
      <span class="nhsuk-header__service-name">${o.service}</span>
      <strong class="nhsuk-tag nhsuk-tag--yellow sbx-sandbox-tag">Sandbox – fictional data</strong>
    </div>
  </div>
</header>
<div class="nhsuk-width-container sbx-wide">
<main class="nhsuk-main-wrapper" id="maincontent" role="main">
${o.body}
</main>
</div>
</body>
</html>`.value;
}
