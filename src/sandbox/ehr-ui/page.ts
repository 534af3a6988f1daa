import { renderMessageBackXhtml, type MessageBack } from '../../message-back/index.js';
import { raw } from '../../http/html.js';
import { html, layout, type Html } from './html.js';
import type { ClinicianRow, PatientRow, RecordView } from './record.js';
import type { ShownCard } from './cds-client.js';

/**
 * The sandbox GP system's page: clinician choice, patient search/list, the record summary and the
 * "Social prescribing (SP Link)" launch, embedded in an iframe or in a new window. Plain forms and links,
 * no script: keyboard usable by construction. Stable ids / data-testid values are documented in the README.
 */

export const SERVICE_NAME = 'Riverside GP clinical system';

export interface EhrPageModel {
  clinicians: readonly ClinicianRow[];
  clinician: ClinicianRow;
  query: string;
  patients: readonly PatientRow[];
  record?: RecordView;
  /** The SP Link launch URL to show embedded, when the app was opened in the page. */
  embeddedLaunchUrl?: string;
  /** Decision-support cards the GP system received when the record opened (CDS Hooks patient-view). */
  cards?: readonly ShownCard[];
}

const qs = (p: Record<string, string | undefined>): string =>
  new URLSearchParams(Object.entries(p).filter((e): e is [string, string] => Boolean(e[1]))).toString();

function clinicianForm(m: EhrPageModel): Html {
  return html`<form method="get" action="/sandbox/ehr" class="sbx-toolbar" data-testid="clinician-form">
  <div class="nhsuk-form-group">
    <label class="nhsuk-label" for="clinician">Signed in clinician</label>
    <select class="nhsuk-select" id="clinician" name="clinician">
      ${m.clinicians.map((c) => html`<option value="${c.id}"${c.id === m.clinician.id ? html` selected` : ''}>${c.name}</option>`)}
    </select>
  </div>
  ${m.record ? html`<input type="hidden" name="patient" value="${m.record.id}">` : ''}
  <button class="nhsuk-button nhsuk-button--secondary" type="submit" id="change-clinician">Change clinician</button>
</form>`;
}

function patientList(m: EhrPageModel): Html {
  return html`<section aria-labelledby="find-patient-heading" class="sbx-panel">
  <h2 id="find-patient-heading" class="nhsuk-heading-m">Find a patient</h2>
  <form method="get" action="/sandbox/ehr" role="search" data-testid="patient-search-form">
    <input type="hidden" name="clinician" value="${m.clinician.id}">
    <div class="nhsuk-form-group">
      <label class="nhsuk-label" for="patient-search">Name or NHS number</label>
      <input class="nhsuk-input nhsuk-u-width-two-thirds" id="patient-search" name="q" type="search" value="${m.query}" autocomplete="off">
    </div>
    <button class="nhsuk-button" type="submit" id="patient-search-button">Search</button>
  </form>
  <table class="nhsuk-table sbx-table" data-testid="patient-list">
    <caption class="nhsuk-table__caption">Patients (${m.patients.length})</caption>
    <thead class="nhsuk-table__head"><tr>
      <th scope="col">Name</th><th scope="col">NHS number</th><th scope="col">Date of birth</th><th scope="col">Age</th>
    </tr></thead>
    <tbody class="nhsuk-table__body">
      ${m.patients.map(
        (p) => html`<tr class="nhsuk-table__row${m.record?.id === p.id ? ' sbx-selected' : ''}" data-patient-id="${p.id}">
        <td class="nhsuk-table__cell"><a href="/sandbox/ehr?${qs({ clinician: m.clinician.id, q: m.query || undefined, patient: p.id })}" data-testid="open-patient" data-patient-id="${p.id}"${m.record?.id === p.id ? html` aria-current="true"` : ''}>${p.name}</a></td>
        <td class="nhsuk-table__cell sbx-nowrap" data-testid="nhs-number">${p.nhsNumber}</td>
        <td class="nhsuk-table__cell sbx-nowrap">${p.birthDate}</td>
        <td class="nhsuk-table__cell">${p.age ?? ''}</td>
      </tr>`,
      )}
    </tbody>
  </table>
  ${m.patients.length === 0 ? html`<p class="nhsuk-body" role="status">No patients match “${m.query}”.</p>` : ''}
</section>`;
}

function table(testid: string, caption: string, headers: string[], rows: Html[], empty: string): Html {
  if (rows.length === 0) return html`<h3 class="nhsuk-heading-s">${caption}</h3><p class="nhsuk-body" data-testid="${testid}">${empty}</p>`;
  return html`<table class="nhsuk-table sbx-table" data-testid="${testid}">
    <caption class="nhsuk-table__caption nhsuk-table__caption--s">${caption}</caption>
    <thead class="nhsuk-table__head"><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody class="nhsuk-table__body">${rows}</tbody>
  </table>`;
}

/** Safeguarding first: unacknowledged concerns on the patient's referrals, above everything else in the record. */
function safeguardingCard(r: RecordView): Html {
  if (r.safeguarding.length === 0) return html``;
  return html`<section class="nhsuk-warning-callout sbx-safeguarding" aria-labelledby="safeguarding-heading" data-testid="safeguarding-alert">
    <h2 class="nhsuk-warning-callout__label" id="safeguarding-heading"><span class="nhsuk-u-visually-hidden">Important: </span>${r.safeguarding.length > 1 ? `${r.safeguarding.length} safeguarding concerns` : 'Safeguarding concern'} (social prescribing)</h2>
    <ul class="nhsuk-list">
      ${r.safeguarding.map(
        (c) => html`<li data-testid="safeguarding-concern" data-referral-id="${c.referral}"><p class="nhsuk-body"><strong class="nhsuk-tag nhsuk-tag--red">Safeguarding</strong> <strong>${c.origin}</strong>${c.date ? `, ${c.date}` : ''}: ${c.service}</p>${c.detail ? html`<p class="nhsuk-body sbx-pre">${c.detail}</p>` : ''}</li>`,
      )}
    </ul>
    <p class="nhsuk-body-s">Open SP Link (Social prescribing) to acknowledge; until then this stays at the top of the record.</p>
  </section>`;
}

/**
 * A message from social prescribing as the GP app shows it: the one rendering (src/message-back), whose every piece
 * of text is escaped, so its markup is built in code.
 */
function messageBack(m: MessageBack): Html {
  return html`<div class="sbx-message" data-testid="message-back">${raw(renderMessageBackXhtml(m, { headingLevel: 4 }))}</div>`;
}

function recordSection(m: EhrPageModel, r: RecordView): Html {
  const launchQuery = qs({ clinician: m.clinician.id, patient: r.id });
  return html`<section aria-labelledby="record-heading" class="sbx-panel" data-testid="patient-record" data-patient-id="${r.id}">
  <div class="sbx-banner" role="region" aria-label="Patient banner" data-testid="patient-banner">
    <h2 id="record-heading" class="nhsuk-heading-m sbx-banner__name">${r.name}</h2>
    <dl class="sbx-banner__facts">
      <div><dt>NHS number</dt><dd data-testid="banner-nhs-number">${r.nhsNumber}</dd></div>
      <div><dt>Born</dt><dd>${r.birthDate} (${r.age ?? '?'} y)</dd></div>
      <div><dt>Gender</dt><dd>${r.gender}</dd></div>
      <div><dt>Address</dt><dd>${r.address}</dd></div>
    </dl>
  </div>
  <div class="sbx-launch" data-testid="launch-actions">
    <form method="get" action="/sandbox/ehr" class="sbx-inline">
      <input type="hidden" name="clinician" value="${m.clinician.id}">
      <input type="hidden" name="patient" value="${r.id}">
      <input type="hidden" name="app" value="sp-link">
      <button class="nhsuk-button" type="submit" id="launch-embedded" data-testid="launch-embedded">Social prescribing (SP Link)</button>
    </form>
    <a class="nhsuk-button nhsuk-button--secondary" id="launch-window" data-testid="launch-window" href="/sandbox/ehr/launch?${launchQuery}" target="_blank" rel="noopener">Open SP Link in a new window<span class="nhsuk-u-visually-hidden"> (opens in a new window)</span></a>
  </div>
  ${m.embeddedLaunchUrl
    ? html`<div class="sbx-app" data-testid="sp-link-app">
    <iframe id="sp-link-frame" name="sp-link" title="SP Link social prescribing" src="${m.embeddedLaunchUrl}" data-testid="sp-link-frame"></iframe>
    <p class="nhsuk-body-s"><a href="/sandbox/ehr?${launchQuery}" id="close-app">Close SP Link</a></p>
  </div>`
    : ''}
  <h3 class="nhsuk-heading-s">Problems</h3>
  ${r.problems.length
    ? html`<ul class="nhsuk-list nhsuk-list--bullet" data-testid="problems">${r.problems.map((p) => html`<li>${p}</li>`)}</ul>`
    : html`<p class="nhsuk-body" data-testid="problems">No active problems recorded.</p>`}
  ${table(
    'referrals',
    'Social prescribing referrals',
    ['Date', 'Reference', 'Reasons', 'Service', 'Status'],
    r.referrals.map(
      (x) => html`<tr class="nhsuk-table__row" data-referral-id="${x.id}"><td class="nhsuk-table__cell sbx-nowrap">${x.authoredOn}</td><td class="nhsuk-table__cell">${x.identifier}</td><td class="nhsuk-table__cell">${x.reasons}</td><td class="nhsuk-table__cell">${x.service}</td><td class="nhsuk-table__cell" data-testid="referral-status">${x.status}${r.safeguarding.some((c) => c.referral === x.id) ? html` <strong class="nhsuk-tag nhsuk-tag--red" data-testid="referral-safeguarding">Safeguarding</strong>` : ''}</td></tr>`,
    ),
    'No social prescribing referrals.',
  )}
  ${table(
    'outcomes',
    'Outcome measures',
    ['Date', 'Measure', 'Value'],
    r.outcomes.map((x) => html`<tr class="nhsuk-table__row" data-observation-id="${x.id}"><td class="nhsuk-table__cell">${x.date}</td><td class="nhsuk-table__cell">${x.measure}</td><td class="nhsuk-table__cell">${x.value}</td></tr>`),
    'No outcome measures recorded.',
  )}
  ${table(
    'messages',
    'Messages and alerts from social prescribing',
    ['Date', 'Type', 'Detail'],
    r.messages.map((x) => html`<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">${x.date}</td><td class="nhsuk-table__cell">${x.kind}</td><td class="nhsuk-table__cell">${x.message ? messageBack(x.message) : x.text}</td></tr>`),
    'No messages.',
  )}
</section>`;
}

/** Card text is Markdown in CDS Hooks; the sandbox shows it as plain text (its emphasis marks dropped). */
const plain = (markdown: string) => markdown.replace(/\*\*|__/g, '');

/**
 * Decision-support cards above the record, as GP systems show them: who says it, one sentence why, the card's links
 * (a SMART link opens SP Link here, in the record), and a way to dismiss it with a reason.
 */
function cdsCards(m: EhrPageModel, r: RecordView): Html {
  if (!m.cards?.length) return html``;
  return html`<div class="sbx-cds" data-testid="cds-cards">${m.cards.map((c) => {
    const others = c.links.filter((l) => l.type === 'absolute');
    return html`<section class="nhsuk-card sbx-cds-card" aria-label="Decision support: ${c.source.label}" data-testid="cds-card" data-card-uuid="${c.uuid}">
  <div class="nhsuk-card__content">
    <p class="nhsuk-body-s sbx-cds-source">Decision support · ${c.source.label}</p>
    <p class="nhsuk-body nhsuk-u-font-weight-bold" data-testid="cds-summary">${c.summary}</p>
    ${c.detail ? html`<p class="nhsuk-body-s">${plain(c.detail)}</p>` : ''}
    <div class="sbx-launch">
      ${c.links.some((l) => l.type === 'smart')
        ? html`<a class="nhsuk-button" id="cds-refer" data-testid="cds-refer" href="/sandbox/ehr/cds-refer?${qs({ clinician: m.clinician.id, patient: r.id, card: c.uuid })}">${c.links.find((l) => l.type === 'smart')!.label}</a>`
        : ''}
      ${others.map((l) => html`<a class="nhsuk-body-s" data-testid="cds-link" href="${l.url}" target="_blank" rel="noopener">${l.label}<span class="nhsuk-u-visually-hidden"> (opens in a new window)</span></a>`)}
    </div>
    ${c.overrideReasons.length
      ? html`<form method="post" action="/sandbox/ehr/cds-dismiss" class="sbx-inline" data-testid="cds-dismiss-form">
      <input type="hidden" name="clinician" value="${m.clinician.id}">
      <input type="hidden" name="patient" value="${r.id}">
      <input type="hidden" name="card" value="${c.uuid}">
      <div class="nhsuk-form-group">
        <label class="nhsuk-label" for="cds-reason-${c.uuid}">Reason for dismissing</label>
        <select class="nhsuk-select" id="cds-reason-${c.uuid}" name="reason" data-testid="cds-reason">
          ${c.overrideReasons.map((o) => html`<option value="${o.code}">${o.display}</option>`)}
        </select>
      </div>
      <button class="nhsuk-button nhsuk-button--secondary" type="submit" data-testid="cds-dismiss">Dismiss</button>
    </form>`
      : ''}
  </div>
</section>`;
  })}</div>`;
}

export function renderEhrPage(m: EhrPageModel): string {
  const body = html`<h1 class="nhsuk-heading-l">${m.record ? m.record.name : 'Patients'}</h1>
${m.record ? safeguardingCard(m.record) : ''}
${m.record ? cdsCards(m, m.record) : ''}
${clinicianForm(m)}
<div class="sbx-columns">
  ${patientList(m)}
  ${m.record ? recordSection(m, m.record) : html`<section class="sbx-panel"><p class="nhsuk-body">Choose a patient to open their record.</p></section>`}
</div>`;
  return layout({ title: m.record ? `${m.record.name} – record` : 'Patients', service: SERVICE_NAME, body });
}

export function renderNotFound(what: string): string {
  return layout({
    title: 'Not found',
    service: SERVICE_NAME,
    body: html`<h1 class="nhsuk-heading-l">Not found</h1><p class="nhsuk-body">${what}</p><p class="nhsuk-body"><a href="/sandbox/ehr">Back to the patient list</a></p>`,
  });
}
