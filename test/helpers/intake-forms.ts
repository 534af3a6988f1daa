import { expect } from 'chai';

/**
 * The public referral forms (`/refer`, `/refer/agency`) over real HTTP, as a browser without JavaScript posts them:
 * each step's answers plus the hidden fields the page before carried, the honeypot left empty.
 */

/** A step's answers: a field's value, or the values of a repeated field (checkboxes). */
export type Form = Record<string, string | string[]>;

export function formBody(f: Form): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p;
}

/** The hidden fields of a page's form: what the next post must carry. */
export function hiddenFields(page: string): Form {
  const out: Form = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    const [k, v] = [m[1]!, m[2]!.replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>')];
    const cur = out[k];
    out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

/** The reference on a confirmation page (`SPL-XXXX-XXXX`), if it is one. */
export const referenceOn = (page: string): string | undefined => /data-testid="reference">(SPL-[0-9A-Z]{4}-[0-9A-Z]{4})</.exec(page)?.[1];

export interface Posted { status: number; text: string; headers: Headers }

/** `from`: the client's address (`X-Forwarded-For`, for a system that trusts its proxy), to test per-IP limits. */
export interface PostOptions { from?: string; headers?: Record<string, string> }

export interface IntakeForm {
  /** POST one step (`about-you`, …, `check`) of the form. */
  post(step: string, f: Form, o?: PostOptions): Promise<Posted>;
  /** Walks `steps` in order from the first step, each answered with the page before's hidden fields; returns "Check your answers". */
  fillIn(steps: Record<string, Form>, o?: PostOptions): Promise<string>;
  /** Sends from "Check your answers" (`check`, the page fillIn returned); `extra` replaces fields, e.g. the honeypot. */
  send(check: string, extra?: Form, o?: PostOptions): Promise<Posted & { reference: string | undefined }>;
  /** fillIn then send; fails unless the form answers with a reference. */
  refer(steps: Record<string, Form>, o?: PostOptions): Promise<string>;
}

/** The form at `path` (`/refer` or `/refer/agency`) of the system `system()` returns (suites start theirs in `before`). */
export function intakeForm(system: () => { url: string }, path: '/refer' | '/refer/agency'): IntakeForm {
  const post = async (step: string, f: Form, o: PostOptions = {}): Promise<Posted> => {
    const headers = { ...(o.from ? { 'x-forwarded-for': o.from } : {}), ...o.headers };
    const res = await fetch(`${system().url}${path}/${step}`, { method: 'POST', body: formBody(f), headers, redirect: 'manual' });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  const fillIn = async (steps: Record<string, Form>, o: PostOptions = {}): Promise<string> => {
    let page = await (await fetch(`${system().url}${path}/about-you`)).text();
    for (const [step, answers] of Object.entries(steps)) {
      const res = await post(step, { ...hiddenFields(page), ...answers, website: '' }, o);
      expect(res.status, `${step}: ${res.text.slice(0, 3000)}`).to.equal(200);
      page = res.text;
    }
    expect(page).to.contain('Check your answers');
    return page;
  };
  const send = async (check: string, extra: Form = {}, o: PostOptions = {}) => {
    const res = await post('check', { ...hiddenFields(check), send: 'yes', website: '', ...extra }, o);
    return { ...res, reference: referenceOn(res.text) };
  };
  return {
    post,
    fillIn,
    send,
    async refer(steps, o = {}) {
      const sent = await send(await fillIn(steps, o), {}, o);
      expect(sent.reference, `no reference: HTTP ${sent.status} ${sent.text.slice(0, 2000)}`).to.be.a('string');
      return sent.reference!;
    },
  };
}
