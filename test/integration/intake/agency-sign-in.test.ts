import { expect } from 'chai';
import type { Bundle, ServiceRequest, Task } from '@medplum/fhirtypes';
import { EXTENSION } from '../../../src/referral-model/codes.js';
import { referralSourceLabel, REFERRER_VERIFIED_EXTENSION } from '../../../src/referral-model/referral-source.js';
import { devAuthHeader } from '../../helpers/sandbox-tokens.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { Browser } from '../workspace/harness.js';

/**
 * Signing in to the agency form with a known agency's staff IdP (the sandbox IdP, config/default.yaml's demo
 * pharmacy and housing office) through the whole system: the authorization request (PKCE S256, state, nonce), the
 * callback's refusals (another sign-in's state, another issuer, a code from another sign-in, a user of another
 * organisation or without a referring role), the verified referral in the signed-in user's name, CSRF on the form's
 * posts, sign-out, and the audit trail.
 */

const CALLBACK = '/refer/agency/sign-in/callback';

/** The hidden fields of a page's forms, the last value of each name winning (what the next post must carry). */
function hidden(page: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    const [k, v] = [m[1]!, m[2]!.replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>')];
    const cur = out[k];
    out[k] = cur === undefined || k === '_csrf' ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

/**
 * Starts a sign-in for `agency` and signs in at the IdP as `username`, stopping before the callback: returns the
 * authorization request SP Link sent and the callback URL the IdP sent the browser to.
 */
async function toCallback(b: Browser, agency: string, username: string): Promise<{ authorize: URL; callback: URL }> {
  let res = await b.raw('GET', `/refer/agency/sign-in/start?agency=${agency}`);
  expect(res.status).to.equal(303);
  const authorize = new URL(res.headers.get('location')!, b.base);
  let at = authorize;
  for (let i = 0; i < 20; i++) {
    if (res.status >= 300 && res.status < 400) {
      at = new URL(res.headers.get('location')!, at);
      if (at.pathname === CALLBACK) return { authorize, callback: at };
      await res.arrayBuffer();
      res = await b.raw('GET', at.href);
      continue;
    }
    const text = await res.text();
    const action = /<form method="post" action="([^"]+)" data-testid="username-form"/.exec(text)?.[1];
    if (!action) throw new Error(`no IdP sign-in form at ${at.href} (${res.status})`);
    at = new URL(action.replaceAll('&amp;', '&'), at);
    res = await b.raw('POST', at.href, { username });
  }
  throw new Error('the IdP never sent the browser back');
}

describe('intake: signing in to the agency form', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  before(async () => {
    sys = await startTestSystem();
  });
  after(async () => sys?.stop());

  const audits = async (action: string) =>
    (await sys.db.query<{ actor: string; details: Record<string, unknown> }>('SELECT actor, details FROM audit_events WHERE action = $1 ORDER BY id', [action])).rows;
  const count = async () => Number((await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM community_referrals')).rows[0]!.n);

  async function signIn(username = 'priya.shah', agency = 'fernbridge-pharmacy'): Promise<{ b: Browser; page: string }> {
    const b = new Browser(sys.url);
    const { callback } = await toCallback(b, agency, username);
    const landed = await b.get(callback.href);
    expect(landed.url, landed.text.slice(0, 2000)).to.match(/\/refer\/agency\/about-you$/);
    return { b, page: landed.text };
  }

  it('lists the known agencies, and refuses one it does not know', async () => {
    const b = new Browser(sys.url);
    const page = await b.get('/refer/agency/sign-in');
    expect(page.text).to.contain('Fernbridge Pharmacy').and.contain('Westshire Council Housing Options');
    const unknown = await b.get('/refer/agency/sign-in/start?agency=made-up-agency');
    expect(unknown.status).to.equal(422);
    expect(unknown.text).to.contain('Choose the organisation you work for');
    expect(b.hasCookie('sp_link_agency'), 'no session for a refused start').to.equal(false);
  });

  it('asks with PKCE S256, state and nonce; signed in, the form is pre-filled from the account and audited', async () => {
    const b = new Browser(sys.url);
    const { authorize, callback } = await toCallback(b, 'fernbridge-pharmacy', 'priya.shah');
    const q = authorize.searchParams;
    expect(q.get('client_id')).to.equal('sp-link-agency-form');
    expect(q.get('redirect_uri')).to.equal(`${sys.url}${CALLBACK}`);
    expect(q.get('code_challenge_method')).to.equal('S256');
    expect(q.get('code_challenge')).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).to.have.length.greaterThan(20);
    expect(q.get('nonce')).to.have.length.greaterThan(20);
    expect(callback.searchParams.get('iss'), 'the IdP names itself (RFC 9207)').to.equal(`${sys.url}/sandbox/idp`);
    const page = (await b.get(callback.href)).text;
    expect(page).to.contain('Signed in as Priya Shah, Fernbridge Pharmacy');
    expect(page).to.contain('Fernbridge Pharmacy (FA123)').and.contain('Community pharmacist');
    expect(page).to.contain('value="priya.shah@fernbridge-pharmacy.example.org"');
    expect(page, 'name and organisation are not fields').to.not.contain('name="referrerName"').and.not.contain('name="referrerOrganisation"');
    const signIns = await audits('intake.agency-sign-in');
    expect(signIns.at(-1)).to.deep.equal({ actor: 'agency:fernbridge-pharmacy:agency-pharmacist-1', details: { agency: 'fernbridge-pharmacy', odsCode: 'FA123' } });
  });

  it('refuses a callback with another sign-in’s state, another issuer, or a code from another sign-in (PKCE)', async () => {
    const b = new Browser(sys.url);
    const { callback } = await toCallback(b, 'fernbridge-pharmacy', 'priya.shah');
    const wrongState = new URL(callback);
    wrongState.searchParams.set('state', 'not-the-state-sent');
    const refused = await b.get(wrongState.href);
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain('You could not be signed in');
    // The sign-in is used up: the genuine callback after a refused one finds nothing pending.
    expect((await b.get(callback.href)).status).to.equal(400);

    const c = new Browser(sys.url);
    const second = await toCallback(c, 'fernbridge-pharmacy', 'priya.shah');
    const otherIss = new URL(second.callback);
    otherIss.searchParams.set('iss', 'https://login.evil.example');
    expect((await c.get(otherIss.href)).status).to.equal(403);

    // An attacker's code (from their own sign-in) injected into a victim's sign-in: the state is the victim's, but
    // the code was bound to the attacker's PKCE verifier, so the IdP refuses to redeem it.
    const attacker = await toCallback(new Browser(sys.url), 'fernbridge-pharmacy', 'priya.shah');
    const victim = new Browser(sys.url);
    const theirs = await toCallback(victim, 'fernbridge-pharmacy', 'priya.shah');
    const injected = new URL(theirs.callback);
    injected.searchParams.set('code', attacker.callback.searchParams.get('code')!);
    const injectedRes = await victim.get(injected.href);
    expect(injectedRes.status).to.equal(403);
    expect(injectedRes.text).to.not.contain('Signed in as');
    expect((await victim.get('/refer/agency/about-you')).text).to.not.contain('Signed in as');
  });

  it('refuses a user of another organisation, and one without a role that may refer', async () => {
    const b = new Browser(sys.url);
    const housing = await toCallback(b, 'fernbridge-pharmacy', 'marcus.bell');
    const other = await b.get(housing.callback.href);
    expect(other.status).to.equal(403);
    expect(other.text).to.contain('your account is not at Fernbridge Pharmacy');
    const t = new Browser(sys.url);
    const tech = await toCallback(t, 'fernbridge-pharmacy', 'tom.reid');
    const noRole = await t.get(tech.callback.href);
    expect(noRole.status).to.equal(403);
    expect(noRole.text).to.contain('no role that may refer for Fernbridge Pharmacy');
    expect((await audits('intake.agency-sign-in')).map((a) => a.actor)).to.not.include.members(['agency:fernbridge-pharmacy:agency-housing-1', 'agency:fernbridge-pharmacy:agency-pharmacy-tech-1']);
  });

  it('signed in: a verified referral in the account’s name, its safeguarding concern raised; a post without the CSRF token is refused', async () => {
    const { b, page: first } = await signIn();
    const steps: Record<string, Record<string, string | string[]>> = {
      // Whatever is posted, the referrer's name and organisation are the account's.
      'about-you': { referrerName: 'Mallory', referrerOrganisation: 'Not a pharmacy', referrerOds: 'ZZZ99', referrerPhone: '01632 960 500' },
      person: { givenName: 'Margaret', familyName: 'Ellis', dobDay: '14', dobMonth: '3', dobYear: '1941', postcode: 'FB1 2AB', nhsNumber: '' },
      contact: { phone: '01632 960 447', email: '', safeTimes: '', leaveMessage: 'no' },
      help: { needs: ['loneliness'], otherNeed: '', whatMatters: '' },
      urgency: { urgency: 'soon', safeguarding: 'yes', safeguardingDetail: 'Bruising she would not explain' },
      consent: { personAgreed: 'yes', consentGp: 'no' },
      support: { access: [], language: '', accessDetail: '' },
    };
    let page = first;
    for (const [step, answers] of Object.entries(steps)) {
      const res = await b.post(`/refer/agency/${step}`, { ...hidden(page), ...answers, website: '' });
      expect(res.status, `${step}: ${res.text.slice(0, 2000)}`).to.equal(200);
      page = res.text;
    }
    expect(page).to.contain('Check your answers').and.contain('Priya Shah').and.not.contain('Mallory');

    const before = await count();
    const { _csrf: _dropped, ...noToken } = hidden(page);
    const forged = await b.raw('POST', '/refer/agency/check', { ...noToken, send: 'yes', website: '' });
    expect(forged.status).to.equal(403);
    const wrong = await b.raw('POST', '/refer/agency/check', { ...noToken, _csrf: 'x'.repeat(43), send: 'yes', website: '' });
    expect(wrong.status).to.equal(403);
    expect(await count(), 'a refused post writes nothing').to.equal(before);

    const sent = await b.post('/refer/agency/check', { ...hidden(page), send: 'yes', website: '' });
    expect(sent.status, sent.text.slice(0, 2000)).to.equal(200);
    expect(sent.text).to.not.contain('marked as not verified');
    const reference = /data-testid="reference">(SPL-[0-9A-Z]{4}-[0-9A-Z]{4})</.exec(sent.text)![1]!;
    const audit = (await audits('community-referral-create')).find((a) => a.details.referralId === reference)!;
    expect(audit).to.deep.equal({ actor: 'agency:fernbridge-pharmacy:agency-pharmacist-1', details: { referralId: reference, source: 'agency', match: 'matched', shareWithGp: false, verified: true, agency: 'fernbridge-pharmacy' } });

    const headers = await devAuthHeader(sys.url, 'lw');
    let task: Task | undefined;
    for (let i = 0; i < 80 && !task; i++) {
      const bundle = (await (await fetch(`${sys.url}/sandbox/lw/fhir/Task?identifier=${encodeURIComponent(`https://fhir.sp-link.example.org/Id/referral-task|${reference}`)}`, { headers })).json()) as Bundle<Task>;
      task = bundle.entry?.[0]?.resource;
      if (!task) await new Promise((r) => setTimeout(r, 250));
    }
    expect(task, 'Task delivered by the outbox').to.not.equal(undefined);
    expect(task!.extension?.find((e) => e.url === REFERRER_VERIFIED_EXTENSION)?.valueBoolean).to.equal(true);
    expect(task!.requester?.display).to.equal('Priya Shah, Community pharmacist, Fernbridge Pharmacy (FA123)');
    // The API's safeguarding flag, and the raised priority, on the referral: the workspace shows it to the service manager.
    const sr = (task!.contained ?? []).find((r): r is ServiceRequest => r.resourceType === 'ServiceRequest');
    const concern = sr?.extension?.find((e) => e.url === EXTENSION.safeguardingConcern);
    expect(concern?.extension?.find((e) => e.url === 'flag')?.valueBoolean).to.equal(true);
    expect(sr?.priority).to.equal('asap');
    const nina = new Browser(sys.url);
    await nina.signIn('nina.kaur');
    const capacity = await nina.get('/workspace/capacity');
    expect(capacity.text).to.contain('Bruising she would not explain');
    const sarah = new Browser(sys.url);
    await sarah.signIn('sarah.whitfield');
    expect((await sarah.get(`/workspace/cases/${task!.id}`)).text).to.contain(`data-testid="referral-source">${referralSourceLabel('agency', true)}<`);

    // Sign-out (CSRF-checked) ends the session here and at the IdP, and is audited.
    expect((await b.raw('POST', '/refer/agency/sign-out', { _csrf: 'nope' })).status).to.equal(403);
    const out = await b.post('/refer/agency/sign-out', { _csrf: hidden(page)._csrf as string });
    expect(out.url, 'on to the IdP’s sign-out').to.contain('/sandbox/idp/session/end');
    expect(b.hasCookie('sp_link_agency')).to.equal(false);
    expect((await b.get('/refer/agency/about-you')).text).to.not.contain('Signed in as');
    expect((await audits('intake.agency-sign-out')).at(-1)?.actor).to.equal('agency:fernbridge-pharmacy:agency-pharmacist-1');
  });
});
