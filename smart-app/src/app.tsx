import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken, type AppContext, type ReferralSummary } from './api.js';
import { ForPatient, PatientBanner } from './patient-banner.js';
import { ReferralForm } from './referral-form.js';
import { ReferralList } from './referral-list.js';
import { SafeguardingAlert } from './safeguarding-alert.js';

/** How often the referral list is refreshed while the app is open and visible (statuses update live). */
export const POLL_MS = 20_000;

export function App() {
  const [ctx, setCtx] = useState<AppContext | null>(null);
  const [fatal, setFatal] = useState<ApiError | null>(null);
  const [referrals, setReferrals] = useState<ReferralSummary[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [sent, setSent] = useState<{ id: string; already: boolean; contact: string | undefined } | null>(null);
  const [formKey, setFormKey] = useState(0);
  // The app opens on the patient's referrals (what needs the GP first); the form is one click away.
  const [view, setView] = useState<'list' | 'form'>('list');
  const confirmation = useRef<HTMLDivElement>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  const returned = useRef(false);

  const show = (next: 'list' | 'form') => {
    if (next === 'form') {
      setSent(null);
      setFormKey((k) => k + 1);
    }
    returned.current = next === 'list';
    setView(next);
    window.scrollTo(0, 0);
  };

  useEffect(() => {
    api.context().then(
      (c) => {
        setCsrfToken(c.csrfToken);
        setCtx(c);
        // Opened from the GP system's "remember to refer" card: straight to the form, with the card's need chosen.
        if (c.referNeeds?.length) setView('form');
      },
      (e: unknown) => setFatal(e instanceof ApiError ? e : new ApiError(0, 'ERR_INTERNAL', 'SP Link could not start.')),
    );
  }, []);

  const refresh = useCallback(async () => {
    if (!ctx) return;
    try {
      const r = await api.referrals(ctx.patient.id);
      setReferrals(r.referrals);
      setListError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setFatal(e);
      else setListError(e instanceof Error ? e.message : 'Referrals could not be loaded.');
    }
  }, [ctx]);

  useEffect(() => {
    if (!ctx) return;
    void refresh();
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, POLL_MS);
    return () => clearInterval(t);
  }, [ctx, refresh]);

  useEffect(() => {
    if (view !== 'list') return;
    if (sent) confirmation.current?.focus();
    else if (returned.current) listHeading.current?.focus();
    returned.current = false;
  }, [sent, view]);

  if (fatal) {
    const expired = fatal.status === 401;
    return (
      <main class="nhsuk-width-container nhsuk-main-wrapper" id="maincontent">
        <h1 class="nhsuk-heading-l">{expired ? 'Your SP Link session has ended' : 'Sorry, there is a problem with SP Link'}</h1>
        <p>{fatal.message}</p>
        <div class="nhsuk-inset-text">
          <p>{expired ? 'Open SP Link again from the patient record. Anything you had not sent has not been saved.' : 'Try again by opening SP Link from the patient record. If it keeps happening, tell IT support.'}</p>
        </div>
        <p class="nhsuk-body-s">Error code: {fatal.code}</p>
      </main>
    );
  }
  if (!ctx) {
    return (
      <main class="nhsuk-width-container nhsuk-main-wrapper" id="maincontent" aria-busy="true">
        <p role="status">Loading the patient record…</p>
      </main>
    );
  }

  const openReferrals = (referrals ?? []).filter((r) => r.open);
  return (
    <>
      {ctx.needPatientBanner && <PatientBanner patient={ctx.patient} />}
      <main class="nhsuk-width-container nhsuk-main-wrapper sp-main" id="maincontent">
        <SafeguardingAlert ctx={ctx} referrals={referrals} onChanged={() => void refresh()} />
        {view === 'form' ? (
          <>
            <button type="button" class="nhsuk-back-link sp-back" data-testid="back-to-referrals" onClick={() => show('list')}>
              Back to referrals
            </button>
            <ReferralForm
              key={formKey}
              ctx={ctx}
              openReferrals={openReferrals}
              onSent={(id, already, contact) => {
                setSent({ id, already, contact });
                show('list');
                void refresh();
              }}
            />
          </>
        ) : (
          <>
            <div class="sp-top">
              <div>
                <h1 class="nhsuk-heading-l sp-top__title" id="list-heading" tabIndex={-1} ref={listHeading}>
                  Social prescribing
                </h1>
                <ForPatient ctx={ctx} />
              </div>
              <button type="button" class="nhsuk-button sp-top__new" data-testid="new-referral" onClick={() => show('form')}>
                New referral
              </button>
            </div>
            {sent && (
              <div class="nhsuk-panel sp-confirmation" tabIndex={-1} ref={confirmation} data-testid="confirmation">
                <h2 class="nhsuk-panel__title">{sent.already ? 'Referral already sent' : 'Referral sent'}</h2>
                <div class="nhsuk-panel__body">
                  <p>
                    Referral ID <strong class="sp-referral-id" data-testid="referral-id">{sent.id}</strong>
                  </p>
                  {sent.already && <p>This referral had already reached the record, so it was not sent a second time.</p>}
                  <p data-testid="contact">
                    {sent.contact ?? ctx.linkWorkerService} will contact the person. You will see progress below and in the record.
                  </p>
                </div>
              </div>
            )}
            <ReferralList ctx={ctx} referrals={referrals} error={listError} onChanged={() => void refresh()} />
          </>
        )}
      </main>
    </>
  );
}
