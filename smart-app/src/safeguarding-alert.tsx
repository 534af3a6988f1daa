import { useState } from 'preact/hooks';
import { concernOrigin } from '../../src/referral-model/safeguarding.js';
import { api, ApiError, type AppContext, type ReferralSummary, type SafeguardingConcern } from './api.js';
import { ukDateTime } from './format.js';

/**
 * Safeguarding first: every unacknowledged concern on the patient's referrals (the referrer's and the link
 * worker's), above everything else in the app, until a clinician acknowledges it. Acknowledging writes who and when
 * into the GP record (src/referral-model/safeguarding.ts); the referral's timeline keeps it.
 */
export function SafeguardingAlert(p: { ctx: AppContext; referrals: ReferralSummary[] | null; onChanged: () => void }) {
  const open = (p.referrals ?? []).flatMap((r) => r.safeguarding.filter((c) => !c.acknowledged).map((c) => ({ c, r })));
  if (open.length === 0) return null;
  return (
    <section class="nhsuk-warning-callout sp-safeguarding" aria-labelledby="safeguarding-heading" data-testid="safeguarding-alert">
      <h2 class="nhsuk-warning-callout__label" id="safeguarding-heading">
        <span class="nhsuk-u-visually-hidden">Important: </span>
        {open.length > 1 ? `${open.length} safeguarding concerns to acknowledge` : 'Safeguarding concern to acknowledge'}
      </h2>
      <ul class="nhsuk-list sp-safeguarding__list">
        {open.map(({ c, r }) => (
          <Concern key={c.key} c={c} r={r} ctx={p.ctx} onChanged={p.onChanged} />
        ))}
      </ul>
    </section>
  );
}

function Concern({ c, r, ctx, onChanged }: { c: SafeguardingConcern; r: ReferralSummary; ctx: AppContext; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const id = `concern-${c.key.replace(/[^A-Za-z0-9-]/g, '-')}`;

  async function acknowledge() {
    setBusy(true);
    setMsg(null);
    try {
      await api.acknowledgeSafeguarding(r.id, { patientId: ctx.patient.id, concern: c.key });
      onChanged();
    } catch (e) {
      setMsg(e instanceof ApiError ? e.message : 'The acknowledgement could not be recorded. Try again.');
      setBusy(false);
    }
  }

  return (
    <li class="sp-safeguarding__item" data-testid="safeguarding-concern" data-concern={c.key} aria-labelledby={id}>
      <p class="sp-safeguarding__what" id={id}>
        <strong class="nhsuk-tag nhsuk-tag--red">Safeguarding</strong> <strong>{concernOrigin(c)}</strong>
        {c.raisedAt ? ` on ${ukDateTime(c.raisedAt)}` : ''}
      </p>
      {c.detail && <p class="sp-safeguarding__detail" data-testid="safeguarding-detail">{c.detail}</p>}
      <p class="nhsuk-body-s">
        Referral to {r.service}
        {r.referralId ? ` (${r.referralId})` : ''}
      </p>
      {msg && (
        <p class="nhsuk-error-message" role="alert">
          {msg}
        </p>
      )}
      <button type="button" class="nhsuk-button nhsuk-button--small sp-safeguarding__ack" data-testid="acknowledge-safeguarding" disabled={busy} aria-describedby={id} onClick={() => void acknowledge()}>
        Acknowledge concern
      </button>
    </li>
  );
}
