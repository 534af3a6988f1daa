import { html, type Html } from '../../http/html.js';
import { nhsPage } from '../../http/nhs-page.js';

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
  return nhsPage({
    title: o.title,
    service: { name: o.service },
    serviceTag: html`<strong class="nhsuk-tag nhsuk-tag--yellow sbx-sandbox-tag">Sandbox – fictional data</strong>`,
    headerClass: 'sbx-header',
    widthClass: 'sbx-wide',
    stylesheets: ['/sandbox/assets/nhsuk-frontend.min.css', `/sandbox/assets/${o.stylesheet ?? 'sandbox.css'}`],
    main: o.body,
  });
}
