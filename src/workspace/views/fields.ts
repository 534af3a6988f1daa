import { html, type Html } from './html.js';

/** Form state of one action form: submitted values and field errors (nhsuk-frontend error pattern). */
export interface FormState {
  values: Record<string, unknown>;
  errors: Record<string, string>;
}

export const EMPTY_FORM: FormState = { values: {}, errors: {} };

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[0] ?? '') : v === undefined ? '' : String(v));
const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

interface FieldOpts {
  form: string;
  name: string;
  label: string;
  state: FormState;
  hint?: string;
}

const id = (o: FieldOpts) => `${o.form}-${o.name}`;

function wrap(o: FieldOpts, control: (attrs: { id: string; describedBy: string | undefined; error: boolean }) => Html): Html {
  const err = o.state.errors[o.name];
  const fid = id(o);
  const describedBy = [o.hint ? `${fid}-hint` : '', err ? `${fid}-error` : ''].filter(Boolean).join(' ') || undefined;
  return html`<div class="nhsuk-form-group${err ? ' nhsuk-form-group--error' : ''}">
  <label class="nhsuk-label" for="${fid}">${o.label}</label>
  ${o.hint ? html`<div class="nhsuk-hint" id="${fid}-hint">${o.hint}</div>` : ''}
  ${err ? html`<span class="nhsuk-error-message" id="${fid}-error"><span class="nhsuk-u-visually-hidden">Error:</span> ${err}</span>` : ''}
  ${control({ id: fid, describedBy, error: Boolean(err) })}
</div>`;
}

/** A text-like input. `value`: shown when the form has no value of its own yet (e.g. today for a date). */
export function input(o: FieldOpts & { type?: string; width?: number; inputmode?: string; max?: string; value?: string }): Html {
  const value = o.name in o.state.values ? str(o.state.values[o.name]) : (o.value ?? '');
  return wrap(o, (a) => html`<input class="nhsuk-input${o.width ? ` nhsuk-input--width-${o.width}` : ''}${a.error ? ' nhsuk-input--error' : ''}" id="${a.id}" name="${o.name}" type="${o.type ?? 'text'}" value="${value}"${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.max ? html` max="${o.max}"` : ''}${a.describedBy ? html` aria-describedby="${a.describedBy}"` : ''}>`);
}

export function textarea(o: FieldOpts & { rows?: number }): Html {
  return wrap(o, (a) => html`<textarea class="nhsuk-textarea${a.error ? ' nhsuk-textarea--error' : ''}" id="${a.id}" name="${o.name}" rows="${o.rows ?? 4}"${a.describedBy ? html` aria-describedby="${a.describedBy}"` : ''}>${str(o.state.values[o.name])}</textarea>`);
}

export function select(o: FieldOpts & { options: readonly { code: string; display: string }[]; placeholder?: string }): Html {
  const current = str(o.state.values[o.name]);
  return wrap(o, (a) => html`<select class="nhsuk-select${a.error ? ' nhsuk-select--error' : ''}" id="${a.id}" name="${o.name}"${a.describedBy ? html` aria-describedby="${a.describedBy}"` : ''}>
    <option value="">${o.placeholder ?? 'Select'}</option>
    ${o.options.map((x) => html`<option value="${x.code}"${x.code === current ? ' selected' : ''}>${x.display}</option>`)}
  </select>`);
}

/** Radios or checkboxes in a fieldset; the legend is the label. */
export function choices(o: FieldOpts & { type: 'radio' | 'checkbox'; options: readonly { code: string; display: string; hint?: string | Html; disabled?: boolean }[]; small?: boolean }): Html {
  const err = o.state.errors[o.name];
  const fid = id(o);
  const chosen = list(o.state.values[o.name]);
  const kind = o.type === 'radio' ? 'radios' : 'checkboxes';
  return html`<div class="nhsuk-form-group${err ? ' nhsuk-form-group--error' : ''}">
  <fieldset class="nhsuk-fieldset"${err ? html` aria-describedby="${fid}-error"` : ''}>
    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">${o.label}</legend>
    ${o.hint ? html`<div class="nhsuk-hint">${o.hint}</div>` : ''}
    ${err ? html`<span class="nhsuk-error-message" id="${fid}-error"><span class="nhsuk-u-visually-hidden">Error:</span> ${err}</span>` : ''}
    <div class="nhsuk-${kind}${o.small ? ` nhsuk-${kind}--small` : ''}">
      ${o.options.map((x, i) => html`<div class="nhsuk-${kind}__item">
        <input class="nhsuk-${kind}__input" id="${fid}${i === 0 ? '' : `-${i}`}" name="${o.name}" type="${o.type}" value="${x.code}"${chosen.includes(x.code) ? ' checked' : ''}${x.disabled ? ' disabled' : ''}>
        <label class="nhsuk-label nhsuk-${kind}__label" for="${fid}${i === 0 ? '' : `-${i}`}">${x.display}</label>
        ${x.hint ? html`<div class="nhsuk-hint nhsuk-${kind}__hint">${x.hint}</div>` : ''}
      </div>`)}
    </div>
  </fieldset>
</div>`;
}

/** nhsuk error summary: each message links to its field. */
export function errorSummary(form: string, errors: Record<string, string>): Html {
  const entries = Object.entries(errors);
  if (entries.length === 0) return html``;
  return html`<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" data-autofocus>
  <h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>
  <div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list">
    ${entries.map(([field, msg]) => html`<li><a href="#${form}-${field}">${msg}</a></li>`)}
  </ul></div>
</div>`;
}
