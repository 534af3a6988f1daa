import { expect } from 'chai';
import type { Bundle, Communication, Provenance, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { londonDate } from '../../../src/time/london.js';
import { Browser, formFields } from '../workspace/harness.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { devAuthHeader } from '../../helpers/sandbox-tokens.js';
import { patientId, patientNhsNumber } from '../../../src/sandbox/demo/patients.js';
import { REFERRAL_SOURCE_EXTENSION, hasNoGpRecord } from '../../../src/referral-model/referral-source.js';

/**
 * The public self-referral form through the whole system (sandbox GP system, link-worker server, reconciler's outbox):
 * the steps as a browser without JavaScript posts them, the confirmation, the Task in the link worker's queue with
 * the identity decision recorded, and the abuse limits.
 */

type Form = Record<string, string | string[]>;

function body(f: Form): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p;
}

/** The hidden fields of a page's form: what the next post must carry. */
function hidden(page: string): Form {
  const out: Form = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    const [k, v] = [m[1]!, m[2]!.replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>')];
    const cur = out[k];
    out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

const MARGARET = {
  'about-you': { givenName: 'Peggy', familyName: 'ELLIS', dobDay: '14', dobMonth: '3', dobYear: '1941', postcode: 'fb12ab', nhsNumber: '' },
  contact: { phone: '01632 960 111', email: '', safeTimes: 'Mornings <b>please</b>', leaveMessage: 'yes' },
  help: { needs: ['loneliness', 'other'], otherNeed: 'Getting to the shops', whatMatters: 'Seeing people again & "getting out"' },
  sharing: { consentService: 'yes', consentGp: 'yes' },
  support: { access: ['large-print'], language: '', accessDetail: '' },
} satisfies Record<string, Form>;

describe('intake: the public self-referral form', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  before(async () => {
    sys = await startTestSystem({ edit: (raw) => { raw.intake = { enabled: true, linkWorkerEndpoint: 'demo-link-workers', perContactPerDay: 2 }; } });
  });
  after(async () => sys?.stop());

  const post = async (path: string, f: Form, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sys.url}${path}`, { method: 'POST', body: body(f), headers, redirect: 'manual' });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  /** Walks every step as a browser would, returning the check page. */
  async function fillIn(steps: Record<string, Form>): Promise<string> {
    let page = await (await fetch(`${sys.url}/refer/about-you`)).text();
    for (const [step, answers] of Object.entries(steps)) {
      const res = await post(`/refer/${step}`, { ...hidden(page), ...answers, website: '' });
      expect(res.status, `${step}: ${res.text.slice(0, 3000)}`).to.equal(200);
      page = res.text;
    }
    expect(page).to.contain('Check your answers');
    return page;
  }

  async function taskAtLinkWorker(referralId: string): Promise<Task | undefined> {
    const headers = await devAuthHeader(sys.url, 'lw');
    for (let i = 0; i < 80; i++) {
      const b = (await (await fetch(`${sys.url}/sandbox/lw/fhir/Task?identifier=${encodeURIComponent(`https://fhir.sp-link.example.org/Id/referral-task|${referralId}`)}`, { headers })).json()) as Bundle<Task>;
      const t = b.entry?.[0]?.resource;
      if (t) return t;
      await new Promise((r) => setTimeout(r, 250));
    }
    return undefined;
  }

  /** A FHIR search at one of the sandbox's servers, with a token for it. */
  async function search<T extends Resource>(server: 'ehr' | 'lw', query: string): Promise<T[]> {
    const b = (await (await fetch(`${sys.url}/sandbox/${server}/fhir/${query}`, { headers: await devAuthHeader(sys.url, server) })).json()) as Bundle<T>;
    return (b.entry ?? []).map((e) => e.resource!);
  }

  /** The GP record's messages that a referral was made by someone other than the GP. */
  const received = async (srId: string) =>
    (await search<Communication>('ehr', `Communication?based-on=ServiceRequest/${srId}`)).filter((c) => c.topic?.coding?.some((x) => x.code === 'referral-received'));

  /** The Task once the outbox has pointed it at the GP record's ServiceRequest (undefined if it never is). */
  async function taskInGpRecord(referralId: string): Promise<Task> {
    for (let i = 0; i < 40; i++) {
      await sys.reconciler!.runOutbox();
      const t = await taskAtLinkWorker(referralId);
      if (t && !hasNoGpRecord(t)) return t;
      await new Promise((r) => setTimeout(r, 250));
    }
    const rows = await sys.db.query('SELECT kind, state, attempts, last_error FROM reconcile_outbox WHERE referral_identifier = $1', [referralId]);
    throw new Error(`the Task was not pointed at the GP record: ${JSON.stringify(rows.rows)}`);
  }

  async function send(steps: Record<string, Form>): Promise<string> {
    const check = await fillIn(steps);
    const sent = await post('/refer/check', { ...hidden(check), send: 'yes', website: '' });
    return /data-testid="reference">(SPL-[^<]+)</.exec(sent.text)![1]!;
  }

  it('a person refers themselves; the Task reaches the link worker, matched to their GP record, with the evidence kept', async () => {
    const start = await fetch(`${sys.url}/refer`);
    expect(start.status).to.equal(200);
    const check = await fillIn(MARGARET);
    // Everything the person typed is shown escaped.
    expect(check).to.contain('Mornings &lt;b&gt;please&lt;/b&gt;').and.not.contain('<b>please</b>');
    const sent = await post('/refer/check', { ...hidden(check), send: 'yes', website: '' });
    expect(sent.status).to.equal(200);
    expect(sent.headers.get('cache-control')).to.equal('no-store');
    const reference = /data-testid="reference">(SPL-[0-9A-Z]{4}-[0-9A-Z]{4})</.exec(sent.text)?.[1];
    expect(reference, sent.text).to.be.a('string');
    expect(sent.text).to.contain('What happens next').and.contain('by phone');

    const { rows } = await sys.db.query<{ match_outcome: string; patient_id: string; share_with_gp: boolean; match: unknown; tenant_id: string }>('SELECT * FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ match_outcome: 'matched', patient_id: patientId(1), share_with_gp: true, tenant_id: 'demo-practice' });
    const evidence = JSON.stringify(rows[0]!.match);
    expect(evidence).to.contain('known-as').and.not.contain('Ellis').and.not.contain('Peggy');

    const task = await taskAtLinkWorker(reference!);
    expect(task, 'Task delivered by the outbox').to.not.equal(undefined);
    expect(task!.extension?.find((e) => e.url === REFERRAL_SOURCE_EXTENSION)?.valueCode).to.equal('self');
    expect(task!.for?.identifier?.value).to.equal(patientNhsNumber(1));
    expect(task!.status).to.equal('requested');
    const copy = JSON.stringify(task!.contained);
    expect(copy).to.contain('Getting to the shops').and.contain('01632 960 111').and.contain('shareWithGp');

    // Sent twice (a double click, a resend after a timeout): one referral.
    const again = await post('/refer/check', { ...hidden(check), send: 'yes', website: '' });
    expect(again.text).to.contain(reference!);
    const count = await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM community_referrals');
    expect(Number(count.rows[0]!.n)).to.equal(1);
    gpToldReference = reference!;
  });

  let gpToldReference = '';
  it('matched and agreed that the GP is told: the GP record gets the referral (the person as requester) and one message, with Provenance; the Task points there', async () => {
    const task = await taskInGpRecord(gpToldReference);
    expect(task, 'the Task is pointed at the GP record').to.not.equal(undefined);
    const ehrBase = `${sys.url}/sandbox/ehr/fhir`;
    expect(task!.focus?.reference).to.match(new RegExp(`^${ehrBase}/ServiceRequest/[^/]+$`));
    expect(task!.for?.identifier?.value).to.equal(patientNhsNumber(1));
    const key = encodeURIComponent(`https://fhir.sp-link.example.org/Id/referral|${gpToldReference}`);
    const [sr, ...more] = await search<ServiceRequest>('ehr', `ServiceRequest?identifier=${key}`);
    expect(more).to.have.length(0);
    expect(task!.focus?.reference).to.equal(`${ehrBase}/ServiceRequest/${sr!.id}`);
    expect(sr!.subject).to.deep.include({ reference: `Patient/${patientId(1)}` });
    expect(sr!.requester?.reference, 'the true requester: the person').to.equal(`Patient/${patientId(1)}`);
    expect(sr!.requester?.display).to.contain('self-referral');
    expect(sr!.extension?.find((e) => e.url === REFERRAL_SOURCE_EXTENSION)?.valueCode).to.equal('self');
    expect(JSON.stringify(sr)).to.not.contain('#patient');
    // The message that it was made (the reconciler then adds its own, e.g. progress, as for any referral).
    const comms = await received(sr!.id!);
    expect(comms).to.have.length(1);
    expect(comms[0]!.topic?.coding?.[0]?.code).to.equal('referral-received');
    expect(comms[0]!.recipient?.[0]?.display).to.equal(sys.config.tenants.find((t) => t.id === 'demo-practice')!.name);
    expect(comms[0]!.text?.div).to.contain('will contact the person');
    const recorded = async () => (await search<Provenance>('ehr', `Provenance?target=ServiceRequest/${sr!.id}`)).filter((p) => p.activity?.text === 'Self-referral recorded for the GP');
    const prov = await recorded();
    expect(prov).to.have.length(1);
    expect(prov[0]!.agent[0]?.who?.reference).to.equal(`Patient/${patientId(1)}`);
    // Asked again (another pass, a resend): nothing more is written, in the record or at the link-worker service.
    const version = task!.meta?.versionId;
    await sys.db.query(`UPDATE reconcile_outbox SET state = 'ready' WHERE kind = 'gp-record' AND referral_identifier = $1`, [gpToldReference]);
    await sys.reconciler!.runOutbox();
    expect(await search('ehr', `ServiceRequest?identifier=${key}`)).to.have.length(1);
    expect(await received(sr!.id!)).to.have.length(1);
    expect(await recorded()).to.have.length(1);
    expect((await taskAtLinkWorker(gpToldReference))!.meta?.versionId).to.equal(version);
  });

  it('matched but did not agree that the GP is told: nothing is written to the GP record', async () => {
    const reference = await send({ ...MARGARET, contact: { ...MARGARET.contact, phone: '01632 960 333' }, sharing: { consentService: 'yes', consentGp: 'no' } });
    const { rows } = await sys.db.query<{ match_outcome: string; share_with_gp: boolean }>('SELECT * FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ match_outcome: 'matched', share_with_gp: false });
    expect(await taskAtLinkWorker(reference)).to.not.equal(undefined);
    await sys.reconciler!.runOutbox();
    const task = (await taskAtLinkWorker(reference))!;
    expect(hasNoGpRecord(task)).to.equal(true);
    expect(await search('ehr', `ServiceRequest?identifier=${encodeURIComponent(`https://fhir.sp-link.example.org/Id/referral|${reference}`)}`)).to.have.length(0);
    const queued = await sys.db.query('SELECT 1 FROM reconcile_outbox WHERE kind = $1 AND referral_identifier = $2', ['gp-record', reference]);
    expect(queued.rows).to.have.length(0);
  });

  it('a person with no GP record here: no match, never linked; the NHS number they typed is kept as unconfirmed', async () => {
    // 999 005 0023: a valid number from the test range that no demo patient holds.
    const check = await fillIn({ ...MARGARET, 'about-you': { givenName: 'Ottilie', familyName: 'Quist', dobDay: '2', dobMonth: '2', dobYear: '1990', postcode: 'ZZ1 1ZZ', nhsNumber: '999 005 0023' }, contact: { phone: '', email: 'ottilie@example.org', safeTimes: '', leaveMessage: 'no' } });
    const sent = await post('/refer/check', { ...hidden(check), send: 'yes', website: '' });
    const reference = /data-testid="reference">(SPL-[^<]+)</.exec(sent.text)![1]!;
    const { rows } = await sys.db.query<{ match_outcome: string; patient_id: string | null }>('SELECT * FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ match_outcome: 'no-match', patient_id: null });
    const task = (await taskAtLinkWorker(reference))!;
    expect(task.for?.reference).to.equal('#patient');
    expect(task.for?.identifier).to.equal(undefined);
    expect(JSON.stringify(task.contained)).to.contain('not confirmed by a GP record');
  });

  it('two records the person could be (a namesake at the same address): ambiguous, for the service manager, never linked', async () => {
    const headers = { ...(await devAuthHeader(sys.url, 'ehr')), 'content-type': 'application/fhir+json' };
    const twin = { resourceType: 'Patient', name: [{ family: 'Ellis', given: ['Margaret'] }], birthDate: '1941-03-14', address: [{ postalCode: 'FB1 2AB' }] };
    expect((await fetch(`${sys.url}/sandbox/ehr/fhir/Patient`, { method: 'POST', headers, body: JSON.stringify(twin) })).status).to.equal(201);
    const check = await fillIn({ ...MARGARET, contact: { ...MARGARET.contact, phone: '01632 960 222' } });
    const sent = await post('/refer/check', { ...hidden(check), send: 'yes', website: '' });
    const reference = /data-testid="reference">(SPL-[^<]+)</.exec(sent.text)![1]!;
    const { rows } = await sys.db.query<{ match_outcome: string; patient_id: string | null; match: { reason: string; practices: { decision: { candidates: unknown[] } }[] } }>('SELECT * FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ match_outcome: 'ambiguous', patient_id: null });
    expect(rows[0]!.match.reason).to.match(/2 patients match/);
    expect(rows[0]!.match.practices[0]!.decision.candidates).to.have.length.greaterThan(1);
    const task = (await taskAtLinkWorker(reference))!;
    expect(task.for?.reference).to.equal('#patient');
    ambiguousReference = reference;
  });

  let ambiguousReference = '';
  it('the service manager links it: the GP record is told, the Task points there, and outcome measures can be recorded', async () => {
    const nina = new Browser(sys.url);
    await nina.signIn('nina.kaur');
    const path = `/workspace/identity-reviews/${ambiguousReference}`;
    const page = await nina.get(path);
    expect(page.status).to.equal(200);
    const linked = await nina.post(path, { ...formFields(page.text, path), decision: `link:demo-practice:${patientId(1)}`, note: 'Confirmed date of birth and address by phone' });
    expect(linked.text).to.contain('linked to the GP record');
    const task = await taskInGpRecord(ambiguousReference);
    expect(task, 'the linked Task is pointed at the GP record').to.not.equal(undefined);
    const [sr] = await search<ServiceRequest>('ehr', `ServiceRequest?identifier=${encodeURIComponent(`https://fhir.sp-link.example.org/Id/referral|${ambiguousReference}`)}`);
    expect(sr!.subject?.reference).to.equal(`Patient/${patientId(1)}`);
    expect(await received(sr!.id!)).to.have.length(1);

    // The link worker works it: an outcome measure is recorded against the person's GP record.
    const sarah = new Browser(sys.url);
    await sarah.signIn('sarah.whitfield');
    const casePath = `/workspace/cases/${task!.id}`;
    const act = async (action: string, form: Record<string, string> = {}) => {
      const p = await sarah.get(casePath);
      return sarah.post(`${casePath}/${action}`, { ...formFields(p.text, `${casePath}/${action}`), ...form });
    };
    expect((await act('accept')).text).to.contain('Referral accepted.');
    const outcome = await act('outcome', { instrument: 'swemwbs', date: londonDate(new Date()), 'score-total': '21' });
    expect(outcome.text).to.not.contain('could not be identified in the GP record');
    expect(outcome.text).to.contain('Outcome measure saved.');
  });

  it('linked without agreement to tell the GP: outcome measures can still be recorded, and nothing reaches the GP record', async () => {
    const { rows } = await sys.db.query<{ referral_id: string }>("SELECT referral_id FROM community_referrals WHERE match_outcome = 'matched' AND NOT share_with_gp LIMIT 1");
    const reference = rows[0]!.referral_id;
    const task = (await taskAtLinkWorker(reference))!;
    const sarah = new Browser(sys.url);
    await sarah.signIn('sarah.whitfield');
    const casePath = `/workspace/cases/${task.id}`;
    const act = async (action: string, form: Record<string, string> = {}) => {
      const p = await sarah.get(casePath);
      return sarah.post(`${casePath}/${action}`, { ...formFields(p.text, `${casePath}/${action}`), ...form });
    };
    expect((await act('accept')).text).to.contain('Referral accepted.');
    const outcome = await act('outcome', { instrument: 'swemwbs', date: londonDate(new Date()), 'score-total': '19' });
    expect(outcome.text).to.contain('Outcome measure saved.');
    await sys.reconciler!.runOutbox();
    expect(hasNoGpRecord((await taskAtLinkWorker(reference))!)).to.equal(true);
  });

  it('each step says what is wrong, next to the field, and keeps the answers', async () => {
    const page = await (await fetch(`${sys.url}/refer/about-you`)).text();
    const res = await post('/refer/about-you', { ...hidden(page), givenName: '<script>x</script>', familyName: '', dobDay: '31', dobMonth: '2', dobYear: '1980', postcode: 'nope', nhsNumber: '1234567890', website: '' });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('There is a problem').and.contain('Enter your last name').and.contain('Enter a real date of birth').and.contain('Enter a real postcode').and.contain('Check your NHS number');
    expect(res.text).to.contain('href="#familyName"').and.contain('value="&lt;script&gt;x&lt;/script&gt;"').and.not.contain('<script>x');
    expect(res.text).to.match(/<title>Error: /);
  });

  it('refuses without writing: the honeypot, a body over the size limit, a post from another site, a missing submission id', async () => {
    const before = await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM community_referrals');
    const check = await fillIn(MARGARET);
    expect((await post('/refer/check', { ...hidden(check), send: 'yes', website: 'http://spam.example' })).status).to.equal(400);
    expect((await post('/refer/check', { ...hidden(check), send: 'yes', website: '', whatMatters: 'x'.repeat(20_000) })).status).to.equal(413);
    expect((await post('/refer/check', { ...hidden(check), send: 'yes', website: '' }, { origin: 'https://evil.example' })).status).to.equal(400);
    expect((await post('/refer/check', { ...hidden(check), submissionId: 'short', send: 'yes', website: '' })).status).to.equal(400);
    const after = await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM community_referrals');
    expect(Number(after.rows[0]!.n)).to.equal(Number(before.rows[0]!.n));
  });

  it('limits referrals per contact detail in a day (perContactPerDay), and says so in plain words', async () => {
    const who = { ...MARGARET, 'about-you': { ...MARGARET['about-you'], givenName: 'Lim', familyName: 'Ited', postcode: 'ZZ2 2ZZ' }, contact: { phone: '', email: 'Limit@Example.org', safeTimes: '', leaveMessage: 'no' } };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const check = await fillIn(i === 2 ? { ...who, contact: { ...who.contact, email: 'limit@example.ORG' } } : who);
      const res = await post('/refer/check', { ...hidden(check), send: 'yes', website: '' });
      statuses.push(res.status);
      if (res.status === 429) expect(res.text).to.contain('You have already sent a request');
    }
    expect(statuses).to.deep.equal([200, 200, 429]);
  });
});
