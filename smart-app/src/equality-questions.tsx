import { ETHNIC_CHOICES, FIRST_LANGUAGES, type EqualityAnswers, type EqualityQuestion, type YesNoAnswer } from '../../src/referral-model/equality.js';
import { Fieldset, Radio, Select, type SelectOption } from './fields.js';

/**
 * Equality monitoring, asked only for what the GP record lacks (`AppContext.equalityToAsk`), never required: each
 * question starts at "Not asked", and "Prefer not to say" is always there. Answers feed the aggregate reports only.
 */

/** The form's state: '' (or `not-asked`) is "not asked", which is not sent. */
export interface EqualityState {
  ethnicity: string;
  disability: YesNoAnswer;
  firstLanguage: string;
  interpreter: YesNoAnswer;
}

export const NO_EQUALITY_ANSWERS: EqualityState = { ethnicity: '', disability: 'not-asked', firstLanguage: '', interpreter: 'not-asked' };

/** What is sent: only the questions shown and answered; undefined when there is nothing to send. */
export function equalityBody(s: EqualityState, ask: readonly EqualityQuestion[]): EqualityAnswers | undefined {
  const out: Record<string, string> = {};
  for (const q of ask) if (s[q] && s[q] !== 'not-asked') out[q] = s[q];
  return Object.keys(out).length ? (out as EqualityAnswers) : undefined;
}

const NOT_ASKED: SelectOption = { value: '', label: 'Not asked' };
const PREFER_NOT: SelectOption = { value: 'prefer-not-to-say', label: 'Prefer not to say' };
const ETHNIC_OPTIONS: SelectOption[] = [
  NOT_ASKED,
  ...ETHNIC_CHOICES.map((c) => ({ value: c.code, label: c.display.replace(/^.* - /, ''), group: c.group })),
  PREFER_NOT,
];
const LANGUAGE_OPTIONS: SelectOption[] = [NOT_ASKED, ...FIRST_LANGUAGES.map((l) => ({ value: l.code, label: l.display })), PREFER_NOT];
const YES_NO: { value: YesNoAnswer; label: string }[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
  { value: 'prefer-not-to-say', label: 'Prefer not to say' },
  { value: 'not-asked', label: 'Not asked' },
];

function YesNo(p: { id: string; legend: string; hint?: string; value: YesNoAnswer; onChange: (v: YesNoAnswer) => void; error?: string | undefined }) {
  return (
    <Fieldset id={p.id} legend={p.legend} {...(p.hint ? { hint: p.hint } : {})} error={p.error}>
      <div class="nhsuk-radios nhsuk-radios--small nhsuk-radios--inline">
        {YES_NO.map((o) => (
          <Radio key={o.value} id={`${p.id}-${o.value}`} name={p.id} label={o.label} checked={p.value === o.value} onChange={() => p.onChange(o.value)} />
        ))}
      </div>
    </Fieldset>
  );
}

export function EqualityQuestions(p: { ask: readonly EqualityQuestion[]; value: EqualityState; onChange: (v: EqualityState) => void; err: (path: string) => string | undefined }) {
  if (p.ask.length === 0) return null;
  const set = <K extends keyof EqualityState>(k: K, v: EqualityState[K]) => p.onChange({ ...p.value, [k]: v });
  const answered = p.ask.filter((q) => p.value[q] && p.value[q] !== 'not-asked').length;
  const hasError = p.ask.some((q) => p.err(`equality.${q}`)) || Boolean(p.err('equality'));
  return (
    <details class="nhsuk-details" open={hasError || answered > 0} data-testid="equality-questions">
      <summary class="nhsuk-details__summary">
        <span class="nhsuk-details__summary-text">Equality monitoring (optional){answered ? ` (${answered} answered)` : ''}</span>
      </summary>
      <div class="nhsuk-details__text">
        <p class="nhsuk-body-s" id="equality-about">
          The patient record does not hold these. Ask only if it suits the conversation: the answers go into the record and
          are used in anonymous reports on who is referred and who is helped. The person may prefer not to say.
        </p>
        {p.ask.includes('ethnicity') && (
          <Select id="equality-ethnicity" label="Ethnic group" hint="As the person describes themselves." value={p.value.ethnicity} options={ETHNIC_OPTIONS} onChange={(v) => set('ethnicity', v)} error={p.err('equality.ethnicity')} />
        )}
        {p.ask.includes('disability') && (
          <YesNo id="equality-disability" legend="Does the person consider themselves disabled?" value={p.value.disability} onChange={(v) => set('disability', v)} error={p.err('equality.disability')} />
        )}
        {p.ask.includes('firstLanguage') && (
          <Select id="equality-first-language" label="First language" value={p.value.firstLanguage} options={LANGUAGE_OPTIONS} onChange={(v) => set('firstLanguage', v)} error={p.err('equality.firstLanguage')} />
        )}
        {p.ask.includes('interpreter') && (
          <YesNo id="equality-interpreter" legend="Does the person need an interpreter?" value={p.value.interpreter} onChange={(v) => set('interpreter', v)} error={p.err('equality.interpreter')} />
        )}
      </div>
    </details>
  );
}
