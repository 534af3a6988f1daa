import { html, type Html } from '../../http/html.js';

export const ASSETS = '/refer/assets';

/** A public page of SP Link's referral forms (NHS design system; no script, so it works without JavaScript). */
export function publicPage(o: { title: string; body: Html; hasErrors?: boolean; backHref?: string }): string {
  return html`<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${o.hasErrors ? 'Error: ' : ''}${o.title} – Ask for help from a link worker</title>
  <link rel="stylesheet" href="${ASSETS}/nhsuk-frontend.min.css">
  <link rel="stylesheet" href="${ASSETS}/refer.css">
</head>
<body>
<a class="nhsuk-skip-link" href="#maincontent">Skip to main content</a>
<header class="nhsuk-header" role="banner">
  <div class="nhsuk-header__container nhsuk-width-container">
    <div class="nhsuk-header__service">
      <a class="nhsuk-header__service-logo" href="/refer"><span class="nhsuk-header__service-name">Ask for help from a link worker</span></a>
    </div>
  </div>
</header>
<div class="nhsuk-width-container">
${o.backHref ? html`<div class="nhsuk-back-link"><a class="nhsuk-back-link__link" href="${o.backHref}">Back</a></div>` : ''}
<main class="nhsuk-main-wrapper" id="maincontent" role="main">
<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
${o.body}
</div></div>
</main>
</div>
<footer role="contentinfo"><div class="nhsuk-footer"><div class="nhsuk-width-container">
<p class="nhsuk-body-s">If you need help now, call NHS 111. In an emergency, call 999. To talk to someone at any time, call Samaritans free on 116 123.</p>
</div></div></footer>
</body>
</html>`.value;
}

/** What nhsuk-frontend has no class for: the honeypot field, kept off screen and away from assistive technology. */
export const REFER_CSS = `
.refer-hp{position:absolute!important;left:-10000px!important;top:auto!important;width:1px!important;height:1px!important;overflow:hidden!important}
.refer-pre{white-space:pre-line}
`;
