import { expect } from 'chai';
import type { Bundle, Task } from '@medplum/fhirtypes';
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
    expect(hasNoGpRecord(task!)).to.equal(true);
    const copy = JSON.stringify(task!.contained);
    expect(copy).to.contain('Getting to the shops').and.contain('01632 960 111').and.contain('shareWithGp');

    // Sent twice (a double click, a resend after a timeout): one referral.
    const again = await post('/refer/check', { ...hidden(check), send: 'yes', website: '' });
    expect(again.text).to.contain(reference!);
    const count = await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM community_referrals');
    expect(Number(count.rows[0]!.n)).to.equal(1);
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
