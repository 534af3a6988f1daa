import { useState } from 'preact/hooks';
import { api, ApiError, type AppContext, type ReferralSummary } from './api.js';
import { ukDate, ukDateTime } from './format.js';
import { OutcomeChart } from './outcome-chart.js';
import { concernOrigin } from '../../src/referral-model/safeguarding.js';
import { MessageBackList } from './message-back.js';

const URGENCY_TEXT: Record<string, string> = { routine: 'Routine', soon: 'Soon', urgent: 'Urgent' };

const GROUPS: { key: ReferralSummary['group']; heading: string }[] = [
  { key: 'attention', heading: 'Needs your attention' },
  { key: 'open', heading: 'In progress' },
  { key: 'closed', heading: 'Ended' },
];

/**
 * The patient's referrals in the server's order (what needs the GP first, then in progress, then ended; newest
 * first within each), under a heading per group. Refreshed by the parent every ~20 s.
 */
export function ReferralList(p: { ctx: AppContext; referrals: ReferralSummary[] | null; error: string | null; onChanged: () => void }) {
  return (
    <section aria-labelledby="referrals-heading" class="sp-referrals" data-testid="referrals">
      <h2 class="nhsuk-heading-m" id="referrals-heading">
        Referrals for this patient
      </h2>
      {p.error && (
        <div class="nhsuk-warning-callout">
          <h3 class="nhsuk-warning-callout__label">
            <span class="nhsuk-u-visually-hidden">Important: </span>Referrals could not be updated
          </h3>
          <p>{p.error}</p>
        </div>
      )}
      {p.referrals === null && !p.error && <p role="status">Loading referrals…</p>}
      {p.referrals && p.referrals.length === 0 && <p>No social prescribing referrals yet.</p>}
      {p.referrals && p.referrals.length > 0 && (
        <div data-testid="referral-list" aria-live="polite">
          {GROUPS.map((g) => {
            const list = p.referrals!.filter((r) => r.group === g.key);
            if (!list.length) return null;
            return (
              <section key={g.key} aria-labelledby={`group-${g.key}`} data-testid={`group-${g.key}`}>
                <h3 class="nhsuk-heading-s sp-group" id={`group-${g.key}`}>
                  {g.heading} ({list.length})
                </h3>
                <ul class="nhsuk-list sp-referral-list">
                  {list.map((r) => (
                    <ReferralCard key={r.id} r={r} ctx={p.ctx} onChanged={p.onChanged} />
                  ))}
                </ul>
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
}

function ReferralCard({ r, ctx, onChanged }: { r: ReferralSummary; ctx: AppContext; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('gp-cancelled');
  const [msg, setMsg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingId = `ref-${r.id}`;

  async function cancel() {
    setBusy(true);
    setMsg(null);
    try {
      await api.cancelReferral(r.id, { patientId: ctx.patient.id, version: r.version, reason });
      setConfirming(false);
      onChanged();
    } catch (e) {
      setMsg(e instanceof ApiError ? e.message : 'The referral could not be cancelled.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <li class={`nhsuk-card sp-card${r.group === 'attention' ? ' sp-card--attention' : ''}`} data-testid="referral" data-referral-id={r.referralId ?? ''} aria-labelledby={headingId}>
      <div class="nhsuk-card__content">
        <h4 class="nhsuk-card__heading nhsuk-heading-s" id={headingId}>
          {r.service}
        </h4>
        <p class="sp-status">
          <strong class={`nhsuk-tag nhsuk-tag--${r.status.tone}`} data-testid="status">
            {r.status.label}
          </strong>
          {r.safeguarding.length > 0 && (
            <>
              {' '}
              <strong class="nhsuk-tag nhsuk-tag--red" data-testid="safeguarding-tag">
                Safeguarding
              </strong>
            </>
          )}
          {r.detail && <span class="sp-status__detail"> {r.detail}</span>}
        </p>
        {r.attention && (
          <p class="sp-attention" data-testid="attention">
            <strong>{r.attention}</strong>
          </p>
        )}
        <dl class="nhsuk-summary-list sp-facts">
          {r.referralId && (
            <div class="nhsuk-summary-list__row">
              <dt class="nhsuk-summary-list__key">Referral ID</dt>
              <dd class="nhsuk-summary-list__value">{r.referralId}</dd>
            </div>
          )}
          {r.source && (
            <div class="nhsuk-summary-list__row">
              <dt class="nhsuk-summary-list__key">Source</dt>
              <dd class="nhsuk-summary-list__value" data-testid="source">
                {r.source}
              </dd>
            </div>
          )}
          <div class="nhsuk-summary-list__row">
            <dt class="nhsuk-summary-list__key">Sent</dt>
            <dd class="nhsuk-summary-list__value">
              {ukDate(r.authoredOn)}
              {r.requester ? ` by ${r.requester}` : ''}
            </dd>
          </div>
          {r.contact && (
            <div class="nhsuk-summary-list__row">
              <dt class="nhsuk-summary-list__key">Contact</dt>
              <dd class="nhsuk-summary-list__value" data-testid="contact">
                {r.contact}
                {r.open ? ' will contact the person' : ''}
                {r.suggested ? ` (${r.service} suggested)` : ''}
              </dd>
            </div>
          )}
          <div class="nhsuk-summary-list__row">
            <dt class="nhsuk-summary-list__key">Needs</dt>
            <dd class="nhsuk-summary-list__value">{r.needs.join(', ') || 'Not recorded'}</dd>
          </div>
          {r.needsChange && (
            <div class="nhsuk-summary-list__row" data-testid="needs-change">
              <dt class="nhsuk-summary-list__key">Needs now</dt>
              <dd class="nhsuk-summary-list__value">
                {r.needsChange.needs.join(', ')}
                <br />
                <span class="nhsuk-body-s">
                  Changed by {r.needsChange.by ?? 'the link worker'}
                  {r.needsChange.at ? `, ${ukDate(r.needsChange.at)}` : ''}
                  {r.needsChange.reason ? `: ${r.needsChange.reason}` : ''}
                </span>
              </dd>
            </div>
          )}
          {r.safeguarding.map((c) => (
            <div class="nhsuk-summary-list__row" key={c.key} data-testid="safeguarding-fact">
              <dt class="nhsuk-summary-list__key">Safeguarding</dt>
              <dd class="nhsuk-summary-list__value">
                {concernOrigin(c)}
                {c.raisedAt ? `, ${ukDate(c.raisedAt)}` : ''}
                {c.detail ? `: ${c.detail}` : ''}
                <br />
                {c.acknowledged ? `Acknowledged by ${c.acknowledged.by}, ${ukDateTime(c.acknowledged.at)}` : 'Not yet acknowledged'}
              </dd>
            </div>
          ))}
          <div class="nhsuk-summary-list__row">
            <dt class="nhsuk-summary-list__key">Urgency</dt>
            <dd class="nhsuk-summary-list__value">{URGENCY_TEXT[r.urgency] ?? r.urgency}</dd>
          </div>
        </dl>
        <MessageBackList messages={r.messages} />
        {r.outcomes.length > 0 && (
          <div class="sp-outcomes" data-testid="outcomes">
            <h5 class="nhsuk-heading-xs">Outcome scores</h5>
            {r.outcomes.map((s) => (
              <OutcomeChart key={s.key} series={s} />
            ))}
          </div>
        )}
        <details class="nhsuk-details">
          <summary class="nhsuk-details__summary">
            <span class="nhsuk-details__summary-text">Timeline ({r.timeline.length})</span>
          </summary>
          <div class="nhsuk-details__text">
            <ol class="nhsuk-list sp-timeline" data-testid="timeline">
              {r.timeline.map((t, i) => (
                <li key={i}>
                  <span class="sp-timeline__at">{ukDateTime(t.at)}</span> {t.text}
                </li>
              ))}
            </ol>
          </div>
        </details>
        {r.cancellable && !confirming && (
          <button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" onClick={() => setConfirming(true)} aria-describedby={headingId}>
            Cancel referral
          </button>
        )}
        {confirming && (
          <div class="sp-confirm">
            <fieldset class="nhsuk-fieldset">
              <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Why are you cancelling this referral?</legend>
              <div class="nhsuk-radios nhsuk-radios--small">
                {[
                  ['gp-cancelled', 'No longer needed'],
                  ['duplicate-referral', 'Duplicate referral'],
                  ['entered-in-error', 'Made in error'],
                ].map(([code, label]) => (
                  <div class="nhsuk-radios__item" key={code}>
                    <input class="nhsuk-radios__input" type="radio" id={`reason-${r.id}-${code}`} name={`reason-${r.id}`} checked={reason === code} onChange={() => setReason(code!)} />
                    <label class="nhsuk-label nhsuk-radios__label" for={`reason-${r.id}-${code}`}>
                      {label}
                    </label>
                  </div>
                ))}
              </div>
            </fieldset>
            {msg && (
              <p class="nhsuk-error-message" role="alert">
                {msg}
              </p>
            )}
            <div class="nhsuk-button-group">
              <button type="button" class="nhsuk-button nhsuk-button--warning nhsuk-button--small" disabled={busy} onClick={() => void cancel()}>
                Yes, cancel referral
              </button>
              <button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" onClick={() => setConfirming(false)}>
                No, keep it
              </button>
            </div>
          </div>
        )}
      </div>
    </li>
  );
}
