import type { Actor } from '../domain/actor.js';
import { homeOf, isManager, isProvider, readsReports, worksCases } from '../domain/actor.js';
import { CHART_CSS, REPORT_CSS } from './report-styles.js';
import { nhsPage } from '../../http/nhs-page.js';
import { html, type Html } from './html.js';

export interface PageOpts {
  title: string;
  actor?: Actor;
  csrfToken?: string;
  /** Which primary navigation item is current. */
  nav?: 'new' | 'mine' | 'open' | 'follow-up' | 'closed' | 'all' | 'capacity' | 'identity' | 'to-check' | 'workload' | 'referrals' | 'our-services' | 'reports';
  flash?: string;
  body: Html;
  /** Prefix the title with "Error:" (GOV.UK / NHS pattern when a form has errors). */
  hasErrors?: boolean;
}

const NAV: { key: NonNullable<PageOpts['nav']>; href: string; label: string; shown: (a: Actor) => boolean }[] = [
  { key: 'new', href: '/workspace/caseload?view=new', label: 'New referrals', shown: worksCases },
  { key: 'mine', href: '/workspace/caseload?view=mine', label: 'My cases', shown: worksCases },
  { key: 'open', href: '/workspace/caseload?view=open', label: 'All open', shown: worksCases },
  { key: 'follow-up', href: '/workspace/caseload?view=follow-up', label: 'Follow-ups due', shown: worksCases },
  { key: 'closed', href: '/workspace/caseload?view=closed', label: 'Closed', shown: worksCases },
  { key: 'capacity', href: '/workspace/capacity', label: 'Team capacity', shown: isManager },
  // Self- and agency referrals SP Link could not link to a GP record with confidence.
  { key: 'identity', href: '/workspace/identity-reviews', label: 'Identity checks', shown: isManager },
  // Directory services nobody checked lately and link workers' reports that one closed or changed.
  { key: 'to-check', href: '/workspace/directory/to-check', label: 'Directory to check', shown: isManager },
  { key: 'workload', href: '/workspace/directory/workload', label: 'Service workload', shown: readsReports },
  // Community groups' staff: the onward referrals to their organisation (the portal).
  { key: 'referrals', href: '/workspace/referrals', label: 'Referrals to us', shown: isProvider },
  { key: 'our-services', href: '/workspace/our-services', label: 'Our services', shown: isProvider },
  // Commissioners and service managers: the evaluation reports (aggregates only).
  { key: 'reports', href: '/workspace/reports', label: 'Reports', shown: readsReports },
];

export function page(o: PageOpts): string {
  const a = o.actor;
  return nhsPage({
    title: o.title,
    ...(o.hasErrors ? { hasErrors: true } : {}),
    service: { name: 'SP Link workspace', href: a ? homeOf(a) : '/workspace/' },
    stylesheets: ['/workspace/assets/nhsuk-frontend.min.css', '/workspace/assets/workspace.css'],
    ...(a
      ? {
          headerExtra: html`<div class="ws-account">
      <span class="ws-account__name" data-testid="signed-in-as">${a.name}${isManager(a) ? ' (service manager)' : a.roles.includes('commissioner') ? ' (commissioner)' : ''}</span>
      <form method="post" action="/workspace/logout" class="ws-inline">
        <input type="hidden" name="_csrf" value="${o.csrfToken ?? ''}">
        <button class="ws-link-button" type="submit">Sign out</button>
      </form>
    </div>`,
          headerNav: html`<nav class="nhsuk-header__navigation" aria-label="Workspace">
    <div class="nhsuk-width-container"><ul class="nhsuk-header__navigation-list">
      ${NAV.filter((n) => n.shown(a)).map((n) => html`<li class="nhsuk-header__navigation-item${o.nav === n.key ? ' nhsuk-header__navigation-item--current' : ''}">
        <a class="nhsuk-header__navigation-link" href="${n.href}"${o.nav === n.key ? ' aria-current="page"' : ''}>${n.label}</a></li>`)}
    </ul></div>
  </nav>`,
        }
      : {}),
    main: html`${o.flash ? html`<div class="nhsuk-inset-text ws-flash" role="status"><p>${o.flash}</p></div>` : ''}
  ${o.body}`,
  });
}

/** A few layout rules nhsuk-frontend has no component for (account bar, inline sign-out, tables). */
export const WORKSPACE_CSS = `
.ws-account{display:flex;gap:1rem;align-items:center;color:#fff;padding:8px 0}
.ws-inline{display:inline;margin:0}
.ws-link-button{background:none;border:0;color:#fff;text-decoration:underline;cursor:pointer;font:inherit;padding:0}
.ws-link-button:focus{outline:4px solid #ffeb3b;color:#212b32;background:#ffeb3b}
.ws-actions{display:grid;gap:1.5rem}
.ws-tag-row{display:flex;gap:.5rem;flex-wrap:wrap}
.ws-safeguarding{border-left:8px solid #d5281b}
.ws-pre{white-space:pre-line}
${REPORT_CSS}${CHART_CSS}`;
