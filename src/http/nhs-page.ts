import { html, type Html } from './html.js';

/**
 * The NHS design system page every server-rendered surface shares (the workspace, the public referral forms, the
 * sandbox's EHR pages): the document, the skip link, the header with the service name, the width container and the
 * main landmark. Each surface adds its own stylesheets, header parts (an account bar, a navigation, a tag) and what
 * goes round its main content. No script: every page works without JavaScript.
 */
export interface NhsPageOptions {
  /** The page's own title; "Error: " is put first when a form on it has errors (the NHS pattern). */
  title: string;
  hasErrors?: boolean;
  /** The service, shown in the header and after the page title; a link home when it has one. */
  service: { name: string; href?: string };
  /** Beside the service name (the sandbox's "fictional data" tag). */
  serviceTag?: Html;
  /** Added to the header's and the width container's classes (a surface's own look). */
  headerClass?: string;
  widthClass?: string;
  stylesheets: readonly string[];
  /** After the service name, inside the header container (an account bar). */
  headerExtra?: Html;
  /** After the header container, inside the header (the navigation). */
  headerNav?: Html;
  /** Inside the width container, before main (a back link). */
  beforeMain?: Html;
  main: Html;
  /** After the width container (the footer). */
  footer?: Html;
}

export function nhsPage(o: NhsPageOptions): string {
  return html`<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${o.hasErrors ? 'Error: ' : ''}${o.title} – ${o.service.name}</title>
  ${o.stylesheets.map((href) => html`<link rel="stylesheet" href="${href}">`)}
</head>
<body>
<a class="nhsuk-skip-link" href="#maincontent">Skip to main content</a>
<header class="${['nhsuk-header', o.headerClass].filter(Boolean).join(' ')}" role="banner">
  <div class="nhsuk-header__container nhsuk-width-container">
    <div class="nhsuk-header__service">
      ${o.service.href === undefined ? html`<span class="nhsuk-header__service-name">${o.service.name}</span>` : html`<a class="nhsuk-header__service-logo" href="${o.service.href}"><span class="nhsuk-header__service-name">${o.service.name}</span></a>`}
      ${o.serviceTag ?? ''}
    </div>
    ${o.headerExtra ?? ''}
  </div>
  ${o.headerNav ?? ''}
</header>
<div class="${['nhsuk-width-container', o.widthClass].filter(Boolean).join(' ')}">
${o.beforeMain ?? ''}
<main class="nhsuk-main-wrapper" id="maincontent" role="main">
${o.main}
</main>
</div>
${o.footer ?? ''}
</body>
</html>`.value;
}
