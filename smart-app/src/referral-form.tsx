import { useEffect, useRef, useState } from 'preact/hooks';
import { ACCESSIBILITY_NEEDS, CONTACT_METHODS, NEEDS, REFERRER_QUESTIONS, URGENCIES } from '../../src/referral-model/codes.js';
import { api, ApiError, type AppContext, type DirectoryEntry, type FieldError, type ReferralSummary } from './api.js';
import { Checkbox, ErrorMessage, Fieldset, Group, Radio, TextArea, TextInput } from './fields.js';
import { ServicePicker } from './service-picker.js';
import { EqualityQuestions, NO_EQUALITY_ANSWERS, equalityBody, type EqualityState } from './equality-questions.js';
import { ForPatient } from './patient-banner.js';
import { ukDate } from './format.js';

/** Where each server-side field error is shown and which control the error summary links to. */
export const FIELD_ANCHOR: Record<string, string> = {
  needs: `need-${NEEDS[0].code}`,
  otherNeed: 'other-need',
  whatMatters: 'what-matters',
  urgency: 'urgency-routine',
  consent: 'consent-given',
  'consent.given': 'consent-given',
  'consent.date': 'consent-date',
  'consent.recordedBy': 'consent-recorded-by',
  contact: 'contact-phone',
  'contact.methods': 'contact-phone',
  'contact.safeTimes': 'safe-times',
  'contact.leaveMessage': 'leave-message',
  'accessibility.needs': 'access-interpreter',
  'accessibility.language': 'interpreter-language',
  'accessibility.detail': 'accessibility-detail',
  safeguarding: 'safeguarding-no',
  'safeguarding.concern': 'safeguarding-no',
  'safeguarding.detail': 'safeguarding-detail',
  service: 'service-lw',
  'service.healthcareServiceId': 'service-lw',
  duplicate: 'duplicate-confirm',
  equality: 'equality-ethnicity',
  'equality.ethnicity': 'equality-ethnicity',
  'equality.disability': 'equality-disability-yes',
  'equality.firstLanguage': 'equality-first-language',
  'equality.interpreter': 'equality-interpreter-yes',
};

interface FormState {
  needs: string[];
  otherNeed: string;
  whatMatters: string;
  urgency: string;
  consentGiven: boolean;
  consentDate: string;
  recordedBy: string;
  methods: string[];
  safeTimes: string;
  leaveMessage: boolean;
  access: string[];
  language: string;
  accessDetail: string;
  safeguarding: '' | 'yes' | 'no';
  safeguardingDetail: string;
  serviceId: string;
  duplicateConfirmed: boolean;
  equality: EqualityState;
}

const toggle = (list: string[], v: string, on: boolean) => (on ? [...new Set([...list, v])] : list.filter((x) => x !== v));
const opt = (s: string) => (s.trim() ? s.trim() : undefined);

/**
 * "Refer to social prescribing": everything on one page with defaults that fit most referrals
 * (routine, phone, link worker to decide, consent today), so a typical referral is a few clicks.
 */
/** 128 random bits, URL-safe: works outside secure contexts too, unlike crypto.randomUUID. */
function newSubmissionId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function ReferralForm({ ctx, openReferrals, onSent }: { ctx: AppContext; openReferrals: readonly ReferralSummary[]; onSent: (referralId: string, alreadySent: boolean, contact: string | undefined) => void }) {
  // One per filled-in form: a resend after a timeout or a double click is the same submission, so the
  // server answers with the referral it already made instead of sending a second one.
  const submissionId = useRef(newSubmissionId());
  const [s, setS] = useState<FormState>({
    needs: [...(ctx.referNeeds ?? [])],
    otherNeed: '',
    whatMatters: '',
    urgency: 'routine',
    consentGiven: false,
    consentDate: ctx.today,
    recordedBy: '',
    methods: ['phone'],
    safeTimes: '',
    leaveMessage: false,
    access: [],
    language: '',
    accessDetail: '',
    // No default: a safeguarding answer is a clinical judgement the GP must make, not a click to skip.
    safeguarding: '',
    safeguardingDetail: '',
    serviceId: '',
    duplicateConfirmed: false,
    equality: NO_EQUALITY_ANSWERS,
  });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [services, setServices] = useState<DirectoryEntry[] | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setS((prev) => ({ ...prev, [k]: v }));
  const err = (path: string) => errors.find((e) => e.path === path || (path === 'consent.given' && e.path === 'consent'))?.message;

  useEffect(() => {
    const t = setTimeout(() => {
      api.directory({ needs: s.needs }).then((r) => setServices(r.services), () => setServices([]));
    }, 250);
    return () => clearTimeout(t);
  }, [s.needs.join(',')]);

  useEffect(() => {
    if (errors.length || problem) summary.current?.focus();
  }, [errors, problem]);

  // An open referral for one of the chosen needs: a second one is usually a mistake, so the GP confirms it.
  const sameNeed = openReferrals.filter((r) => r.needCodes.some((c) => s.needs.includes(c) && c !== 'other'));

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    if (sameNeed.length && !s.duplicateConfirmed) {
      setProblem(null);
      setErrors([{ path: 'duplicate', message: 'This person already has an open referral for the same need: confirm that a new one is needed, or go back to the open one' }]);
      return;
    }
    setBusy(true);
    setProblem(null);
    const body = {
      patientId: ctx.patient.id,
      submissionId: submissionId.current,
      needs: s.needs,
      otherNeed: s.needs.includes('other') ? opt(s.otherNeed) : undefined,
      whatMatters: opt(s.whatMatters),
      urgency: s.urgency,
      consent: { given: s.consentGiven, date: s.consentDate, recordedBy: opt(s.recordedBy) },
      contact: { methods: s.methods, safeTimes: opt(s.safeTimes), leaveMessage: s.leaveMessage },
      accessibility: { needs: s.access, language: s.access.includes('interpreter') ? opt(s.language) : undefined, detail: opt(s.accessDetail) },
      safeguarding: s.safeguarding === '' ? {} : { concern: s.safeguarding === 'yes', detail: s.safeguarding === 'yes' ? opt(s.safeguardingDetail) : undefined },
      service: s.serviceId ? { kind: 'directory', healthcareServiceId: s.serviceId } : { kind: 'link-worker-decides' },
      equality: equalityBody(s.equality, ctx.equalityToAsk),
    };
    try {
      const r = await api.createReferral(body);
      setErrors([]);
      onSent(r.referralId, r.alreadySent === true, r.contact);
    } catch (x) {
      if (x instanceof ApiError && x.fields.length) {
        setErrors(x.fields);
      } else {
        setErrors([]);
        setProblem(x instanceof Error ? x.message : 'The referral could not be sent.');
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="refer-heading" data-testid="referral-form">
      <h1 class="nhsuk-heading-l" id="refer-heading">
        Refer to social prescribing
      </h1>
      <ForPatient ctx={ctx} />
      {(errors.length > 0 || problem) && (
        <div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabIndex={-1} ref={summary} data-testid="error-summary">
          <h2 class="nhsuk-error-summary__title" id="error-summary-title">
            {problem ? 'The referral was not sent' : 'There is a problem'}
          </h2>
          <div class="nhsuk-error-summary__body">
            {problem && <p>{problem}</p>}
            <ul class="nhsuk-list nhsuk-error-summary__list">
              {errors.map((e) => (
                <li key={e.path}>
                  <a href={`#${FIELD_ANCHOR[e.path] ?? 'refer-heading'}`}>{e.message}</a>
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}

      <Fieldset id="needs" legend="What does the person need support with?" hint="Select all that apply." error={err('needs')}>
        <div class="nhsuk-checkboxes nhsuk-checkboxes--small sp-columns">
          {NEEDS.map((n) => (
            <Checkbox key={n.code} id={`need-${n.code}`} label={n.display} checked={s.needs.includes(n.code)} onChange={(on) => set('needs', toggle(s.needs, n.code, on))} />
          ))}
        </div>
        {s.needs.includes('other') && <TextInput id="other-need" label="Describe the other need" value={s.otherNeed} onInput={(v) => set('otherNeed', v)} error={err('otherNeed')} />}
      </Fieldset>

      {sameNeed.length > 0 && (
        <div class={`nhsuk-warning-callout${err('duplicate') ? ' sp-callout--error' : ''}`} data-testid="duplicate-warning">
          <h2 class="nhsuk-warning-callout__label">
            <span class="nhsuk-u-visually-hidden">Important: </span>Open referral for the same need
          </h2>
          <ul class="nhsuk-list">
            {sameNeed.map((r) => (
              <li key={r.id}>
                {r.service}, sent {ukDate(r.authoredOn)} for {r.needs.join(', ')}: <strong>{r.status.label}</strong>
              </li>
            ))}
          </ul>
          <Group error={err('duplicate')}>
            <ErrorMessage id="duplicate" message={err('duplicate')} />
            <div class="nhsuk-checkboxes nhsuk-checkboxes--small">
              <Checkbox id="duplicate-confirm" label="I have checked: a new referral is needed" checked={s.duplicateConfirmed} onChange={(v) => set('duplicateConfirmed', v)} />
            </div>
          </Group>
        </div>
      )}

      <TextArea id="what-matters" label="What matters to the person (optional)" hint="In their words, if you can. It helps the link worker start the conversation." value={s.whatMatters} onInput={(v) => set('whatMatters', v)} error={err('whatMatters')} rows={2} />

      <ServicePicker services={services} value={s.serviceId} onChange={(v) => set('serviceId', v)} error={err('service') ?? err('service.healthcareServiceId')} linkWorkerService={ctx.linkWorkerService} />

      <Fieldset id="safeguarding" legend={REFERRER_QUESTIONS.safeguarding} hint={REFERRER_QUESTIONS.safeguardingHint} error={err('safeguarding.concern') ?? err('safeguarding')}>
        <div class="nhsuk-radios nhsuk-radios--small nhsuk-radios--inline">
          <Radio id="safeguarding-no" name="safeguarding" label="No" checked={s.safeguarding === 'no'} onChange={() => set('safeguarding', 'no')} />
          <Radio id="safeguarding-yes" name="safeguarding" label="Yes" checked={s.safeguarding === 'yes'} onChange={() => set('safeguarding', 'yes')} />
        </div>
        {s.safeguarding === 'yes' && (
          <TextArea id="safeguarding-detail" label={REFERRER_QUESTIONS.safeguardingDetail} value={s.safeguardingDetail} onInput={(v) => set('safeguardingDetail', v)} error={err('safeguarding.detail')} rows={2} />
        )}
      </Fieldset>

      <Fieldset id="urgency" legend={REFERRER_QUESTIONS.urgency} error={err('urgency')}>
        <div class="nhsuk-radios nhsuk-radios--small">
          {URGENCIES.map((u) => (
            <Radio key={u.code} id={`urgency-${u.code}`} name="urgency" label={u.display} checked={(s.safeguarding === 'yes' ? 'urgent' : s.urgency) === u.code} onChange={() => set('urgency', u.code)} />
          ))}
        </div>
      </Fieldset>

      <Fieldset id="contact" legend="How may the link worker contact the person?" error={err('contact.methods') ?? err('contact')}>
        <div class="nhsuk-checkboxes nhsuk-checkboxes--small sp-columns">
          {CONTACT_METHODS.map((m) => (
            <Checkbox key={m.code} id={`contact-${m.code}`} label={m.display} checked={s.methods.includes(m.code)} onChange={(on) => set('methods', toggle(s.methods, m.code, on))} />
          ))}
        </div>
        <TextInput id="safe-times" label="Safe times to contact (optional)" hint="For example, weekday mornings; not when their partner is home." value={s.safeTimes} onInput={(v) => set('safeTimes', v)} error={err('contact.safeTimes')} />
        <div class="nhsuk-checkboxes nhsuk-checkboxes--small">
          <Checkbox id="leave-message" label="A message may be left" checked={s.leaveMessage} onChange={(v) => set('leaveMessage', v)} />
        </div>
      </Fieldset>

      <details class="nhsuk-details" open={s.access.length > 0 || Boolean(err('accessibility.language') ?? err('accessibility.detail'))}>
        <summary class="nhsuk-details__summary">
          <span class="nhsuk-details__summary-text">Accessibility or interpreter needs{s.access.length ? ` (${s.access.length})` : ''}</span>
        </summary>
        <div class="nhsuk-details__text">
          <Fieldset id="accessibility" legend="Select any that apply" error={err('accessibility.needs')}>
            <div class="nhsuk-checkboxes nhsuk-checkboxes--small">
              {ACCESSIBILITY_NEEDS.map((a) => (
                <Checkbox key={a.code} id={`access-${a.code}`} label={a.display} checked={s.access.includes(a.code)} onChange={(on) => set('access', toggle(s.access, a.code, on))} />
              ))}
            </div>
          </Fieldset>
          {s.access.includes('interpreter') && <TextInput id="interpreter-language" label="Language" hint="For example, Polish or pl." value={s.language} onInput={(v) => set('language', v)} error={err('accessibility.language')} width="20" />}
          <TextInput id="accessibility-detail" label={s.access.includes('other') ? 'Describe the need' : 'Anything else (optional)'} value={s.accessDetail} onInput={(v) => set('accessDetail', v)} error={err('accessibility.detail')} />
        </div>
      </details>

      <EqualityQuestions ask={ctx.equalityToAsk} value={s.equality} onChange={(v) => set('equality', v)} err={err} />

      <Fieldset id="consent" legend="Consent" error={err('consent.given')}>
        <div class="nhsuk-checkboxes nhsuk-checkboxes--small">
          <Checkbox id="consent-given" label="The person agrees to be referred and to the link-worker service contacting them" checked={s.consentGiven} onChange={(v) => set('consentGiven', v)} />
        </div>
        <div class="sp-row">
          <TextInput id="consent-date" type="date" label="Date consent given" value={s.consentDate} onInput={(v) => set('consentDate', v)} error={err('consent.date')} />
          <TextInput id="consent-recorded-by" label="Recorded by (if not you)" value={s.recordedBy} onInput={(v) => set('recordedBy', v)} error={err('consent.recordedBy')} />
        </div>
      </Fieldset>

      <button class="nhsuk-button" type="submit" disabled={busy} aria-disabled={busy} data-testid="send-referral">
        {busy ? 'Sending…' : 'Send referral'}
      </button>
    </form>
  );
}
