import { html, type Html } from '../../http/html.js';
import { nhsPage } from '../../http/nhs-page.js';

export const ASSETS = '/refer/assets';

/** A public page of SP Link's referral forms (NHS design system; no script, so it works without JavaScript). */
export function publicPage(o: { title: string; body: Html; hasErrors?: boolean; backHref?: string }): string {
  return nhsPage({
    title: o.title,
    ...(o.hasErrors ? { hasErrors: true } : {}),
    service: { name: 'Ask for help from a link worker', href: '/refer' },
    stylesheets: [`${ASSETS}/nhsuk-frontend.min.css`, `${ASSETS}/refer.css`],
    ...(o.backHref ? { beforeMain: html`<div class="nhsuk-back-link"><a class="nhsuk-back-link__link" href="${o.backHref}">Back</a></div>` } : {}),
    main: html`<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
${o.body}
</div></div>`,
    footer: html`<footer role="contentinfo"><div class="nhsuk-footer"><div class="nhsuk-width-container">
<p class="nhsuk-body-s">If you need help now, call NHS 111. In an emergency, call 999. To talk to someone at any time, call Samaritans free on 116 123.</p>
</div></div></footer>`,
  });
}

/** What nhsuk-frontend has no class for: the honeypot field, kept off screen and away from assistive technology. */
export const REFER_CSS = `
.refer-hp{position:absolute!important;left:-10000px!important;top:auto!important;width:1px!important;height:1px!important;overflow:hidden!important}
.refer-pre{white-space:pre-line}
`;
