import { html, type Html } from '../../http/html.js';

export { Html, escapeHtml, html } from '../../http/html.js';

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
