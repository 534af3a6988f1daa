import type { ComponentChildren } from 'preact';

/** NHS design system form pieces, with errors wired to inputs through aria-describedby. */

export function ErrorMessage({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span class="nhsuk-error-message" id={`${id}-error`}>
      <span class="nhsuk-u-visually-hidden">Error:</span> {message}
    </span>
  );
}

export const describedBy = (id: string, hint: boolean, error: string | undefined) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

export function Group({ error, children, class: cls }: { error?: string | undefined; children: ComponentChildren; class?: string }) {
  return <div class={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}${cls ? ` ${cls}` : ''}`}>{children}</div>;
}

export function Fieldset({ legend, hint, id, error, children }: { legend: string; hint?: string; id: string; error?: string | undefined; children: ComponentChildren }) {
  return (
    <Group error={error}>
      <fieldset class="nhsuk-fieldset" aria-describedby={describedBy(id, Boolean(hint), error)}>
        <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
        {hint && (
          <div class="nhsuk-hint" id={`${id}-hint`}>
            {hint}
          </div>
        )}
        <ErrorMessage id={id} message={error} />
        {children}
      </fieldset>
    </Group>
  );
}

export function Checkbox({ id, label, checked, onChange, hint }: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void; hint?: string }) {
  return (
    <div class="nhsuk-checkboxes__item">
      <input class="nhsuk-checkboxes__input" id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label class="nhsuk-label nhsuk-checkboxes__label" for={id}>
        {label}
      </label>
      {hint && (
        <div class="nhsuk-hint nhsuk-checkboxes__hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
    </div>
  );
}

export function Radio({ id, name, label, checked, onChange, hint, disabled }: { id: string; name: string; label: ComponentChildren; checked: boolean; onChange: () => void; hint?: ComponentChildren; disabled?: boolean }) {
  return (
    <div class="nhsuk-radios__item">
      <input class="nhsuk-radios__input" id={id} name={name} type="radio" checked={checked} onChange={onChange} disabled={disabled} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label class="nhsuk-label nhsuk-radios__label" for={id}>
        {label}
      </label>
      {hint && (
        <div class="nhsuk-hint nhsuk-radios__hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
    </div>
  );
}

/** Label, hint and error message above a text field, tied to it by id (NHS design system order). */
function FieldLabel(p: { id: string; label: string; hint?: string | undefined; error?: string | undefined }) {
  return (
    <>
      <label class="nhsuk-label" for={p.id}>
        {p.label}
      </label>
      {p.hint && (
        <div class="nhsuk-hint" id={`${p.id}-hint`}>
          {p.hint}
        </div>
      )}
      <ErrorMessage id={p.id} message={p.error} />
    </>
  );
}

export function TextInput(p: { id: string; label: string; hint?: string; value: string; onInput: (v: string) => void; error?: string | undefined; type?: 'text' | 'date' | 'search'; width?: string; autocomplete?: string }) {
  return (
    <Group error={p.error}>
      <FieldLabel id={p.id} label={p.label} hint={p.hint} error={p.error} />
      <input
        class={`nhsuk-input${p.width ? ` nhsuk-input--width-${p.width}` : ''}${p.error ? ' nhsuk-input--error' : ''}`}
        id={p.id}
        {...({ type: p.type ?? 'text' } as { type: 'text' })}
        value={p.value}
        autoComplete={p.autocomplete ?? 'off'}
        onInput={(e) => p.onInput(e.currentTarget.value)}
        aria-describedby={describedBy(p.id, Boolean(p.hint), p.error)}
      />
    </Group>
  );
}

export function TextArea(p: { id: string; label: string; hint?: string; value: string; onInput: (v: string) => void; error?: string | undefined; rows?: number }) {
  return (
    <Group error={p.error}>
      <FieldLabel id={p.id} label={p.label} hint={p.hint} error={p.error} />
      <textarea
        class={`nhsuk-textarea${p.error ? ' nhsuk-textarea--error' : ''}`}
        id={p.id}
        rows={p.rows ?? 3}
        value={p.value}
        onInput={(e) => p.onInput(e.currentTarget.value)}
        aria-describedby={describedBy(p.id, Boolean(p.hint), p.error)}
      />
    </Group>
  );
}

export interface SelectOption {
  value: string;
  label: string;
  /** Options under a heading of their own (`<optgroup>`). */
  group?: string;
}

/** A labelled drop-down; options sharing `group` are shown under that heading, in the order given. */
export function Select(p: { id: string; label: string; hint?: string; value: string; options: readonly SelectOption[]; onChange: (v: string) => void; error?: string | undefined }) {
  const runs: { group?: string; options: SelectOption[] }[] = [];
  for (const o of p.options) {
    const last = runs[runs.length - 1];
    if (last && last.group === o.group) last.options.push(o);
    else runs.push({ ...(o.group ? { group: o.group } : {}), options: [o] });
  }
  const option = (o: SelectOption) => (
    <option key={o.value} value={o.value}>
      {o.label}
    </option>
  );
  return (
    <Group error={p.error}>
      <FieldLabel id={p.id} label={p.label} hint={p.hint} error={p.error} />
      <select
        class={`nhsuk-select${p.error ? ' nhsuk-select--error' : ''}`}
        id={p.id}
        value={p.value}
        onChange={(e) => p.onChange(e.currentTarget.value)}
        aria-describedby={describedBy(p.id, Boolean(p.hint), p.error)}
      >
        {runs.map((r, i) =>
          r.group ? (
            <optgroup key={`g${i}`} label={r.group}>
              {r.options.map(option)}
            </optgroup>
          ) : (
            r.options.map(option)
          ),
        )}
      </select>
    </Group>
  );
}
