import type { Bundle, Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { PREFETCH } from '../../../src/cds/index.js';
import { CDS_OVERRIDE_REASON_SYSTEM, SNOMED, SYSTEM } from '../../../src/referral-model/codes.js';
import { ACCESS_TOKEN, startCdsHarness, type CdsHarness } from './harness.js';

const PATIENT = 'pat-42';
const subject = { reference: `Patient/${PATIENT}` };
const lonely: Resource = {
  resourceType: 'Condition',
  id: 'c1',
  subject,
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  code: { coding: [{ system: SYSTEM.snomed, code: '267076002', display: 'Feeling lonely' }] },
  recordedDate: '2026-11-20',
};
const openReferral: Resource = {
  resourceType: 'ServiceRequest',
  id: 'sr1',
  status: 'active',
  intent: 'order',
  subject,
  category: [{ coding: [{ system: SYSTEM.snomed, code: SNOMED.referralToSocialPrescribing.code }] }],
  authoredOn: '2026-11-25',
};
const bundle = (...resources: Resource[]): Bundle => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) });

function hookRequest(prefetch: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) {
  return {
    hook: 'patient-view',
    hookInstance: crypto.randomUUID(),
    context: { userId: 'Practitioner/gp-1', patientId: PATIENT },
    ...(prefetch ? { prefetch } : {}),
    ...extra,
  };
}

const fullPrefetch = (...resources: Resource[]) => ({
  patient: { resourceType: 'Patient', id: PATIENT },
  conditions: bundle(...resources.filter((r) => r.resourceType === 'Condition')),
  needObservations: bundle(...resources.filter((r) => r.resourceType === 'Observation')),
  encounters: bundle(...resources.filter((r) => r.resourceType === 'Encounter')),
  referrals: bundle(...resources.filter((r) => r.resourceType === 'ServiceRequest')),
});

interface CardBody {
  uuid: string;
  summary: string;
  indicator: string;
  source: { label: string; url?: string; topic?: { code: string } };
  links: { label: string; url: string; type: string; appContext?: string }[];
  overrideReasons: { system: string; code: string; display: string }[];
}
const cardsOf = (body: Record<string, unknown>) => body.cards as CardBody[];

describe('CDS Hooks service: patient-view and feedback', function () {
  this.timeout(60_000);
  let h: CdsHarness;
  before(async () => {
    h = await startCdsHarness();
  });
  beforeEach(async () => {
    await h.reset();
  });
  after(async () => h.close());

  it('shows one card for a coded need: the need in one sentence, a SMART link with the need chosen, the local services, override reasons', async () => {
    const res = await h.call(hookRequest(fullPrefetch(lonely)));
    expect(res.status).to.equal(200);
    const [card, ...rest] = cardsOf(res.body);
    expect(rest).to.deep.equal([]);
    expect(card!.summary).to.match(/^Feeling lonely \(20 Nov 2026\) on the record, no social prescribing referral/);
    expect(card!.summary.length).to.be.at.most(140);
    expect(card!.indicator).to.equal('info');
    const smart = card!.links.find((l) => l.type === 'smart')!;
    expect(smart.url).to.equal(`${h.url}/launch`);
    expect(JSON.parse(smart.appContext!)).to.deep.equal({ need: 'loneliness', cdsCard: card!.uuid });
    expect(card!.links.find((l) => l.type === 'absolute')?.url).to.equal('https://pcn.example/social-prescribing');
    expect(card!.overrideReasons.map((r) => r.code)).to.deep.equal(['not-appropriate', 'already-discussed', 'person-declined']);
    expect(h.fhirRequests, 'prefetch was enough').to.deep.equal([]);
  });

  it('shows no card while a referral is open', async () => {
    const res = await h.call(hookRequest(fullPrefetch(lonely, openReferral)));
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ cards: [] });
  });

  it('shows the same card again until the GP acts on it; after an override, no card for the rest of the day (suppression recorded)', async () => {
    const first = cardsOf((await h.call(hookRequest(fullPrefetch(lonely)))).body)[0]!;
    const again = cardsOf((await h.call(hookRequest(fullPrefetch(lonely)))).body)[0]!;
    expect(again.uuid).to.equal(first.uuid);

    const fb = await h.call(
      { feedback: [{ card: first.uuid, outcome: 'overridden', overrideReason: { reason: { system: CDS_OVERRIDE_REASON_SYSTEM, code: 'already-discussed' }, userComment: 'Spoke to Mrs Jones' }, outcomeTimestamp: '2026-12-01T10:01:00Z' }] },
      undefined,
      h.feedbackUrl,
    );
    expect(fb.status).to.equal(200);
    const { rows: stored } = await h.db.query('SELECT outcome, override_reason FROM cds_feedback WHERE card_id = $1', [first.uuid]);
    expect(stored).to.deep.equal([{ outcome: 'overridden', override_reason: 'already-discussed' }]);
    const { rows: anyComment } = await h.db.query("SELECT 1 FROM cds_feedback WHERE row_to_json(cds_feedback)::text LIKE '%Jones%'");
    expect(anyComment, 'the comment is not stored').to.deep.equal([]);

    expect((await h.call(hookRequest(fullPrefetch(lonely)))).body).to.deep.equal({ cards: [] });
    const { rows: suppressed } = await h.db.query('SELECT rule FROM cds_suppressions WHERE card_id = $1', [first.uuid]);
    expect(suppressed).to.deep.equal([{ rule: 'social-need' }]);

    // The next day the prompt comes back, as a new card.
    h.now.value = new Date('2026-12-02T09:00:00Z');
    const tomorrow = cardsOf((await h.call(hookRequest(fullPrefetch(lonely)))).body)[0]!;
    expect(tomorrow.uuid).to.not.equal(first.uuid);
  });

  it('keeps the first feedback on a card, and ignores cards it never showed', async () => {
    const card = cardsOf((await h.call(hookRequest(fullPrefetch(lonely)))).body)[0]!;
    const send = (uuid: string, outcome: string) =>
      h.call({ feedback: [{ card: uuid, outcome, outcomeTimestamp: '2026-12-01T10:02:00Z' }] }, undefined, h.feedbackUrl);
    expect((await send(card.uuid, 'accepted')).status).to.equal(200);
    expect((await send(card.uuid, 'overridden')).status).to.equal(200);
    expect((await send(crypto.randomUUID(), 'accepted')).status).to.equal(200);
    const { rows } = await h.db.query('SELECT card_id, outcome FROM cds_feedback');
    expect(rows).to.deep.equal([{ card_id: card.uuid, outcome: 'accepted' }]);
  });

  it('reads the record with fhirAuthorization when prefetch is absent, using the prefetch templates', async () => {
    h.records.push(lonely);
    const res = await h.call(hookRequest(undefined, { fhirServer: h.fhirBase, fhirAuthorization: { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'sp-link' } }));
    expect(res.status).to.equal(200);
    expect(cardsOf(res.body)).to.have.length(1);
    const paths = h.fhirRequests.map((u) => u.split('?')[0]).sort();
    expect(paths).to.deep.equal(['/fhir/Condition', '/fhir/Encounter', '/fhir/Observation', '/fhir/ServiceRequest']);
    expect(h.fhirRequests.every((u) => u.includes(`patient=${PATIENT}`))).to.equal(true);
    expect(PREFETCH.conditions).to.include('{{context.patientId}}');
  });

  it('fetches only the prefetch keys that are missing or null', async () => {
    const prefetch = { ...fullPrefetch(lonely), encounters: null } as Record<string, unknown>;
    delete prefetch.referrals;
    h.records.push(openReferral);
    const res = await h.call(hookRequest(prefetch, { fhirServer: h.fhirBase, fhirAuthorization: { access_token: ACCESS_TOKEN, token_type: 'Bearer' } }));
    expect(res.body).to.deep.equal({ cards: [] });
    expect(h.fhirRequests.map((u) => u.split('?')[0]).sort()).to.deep.equal(['/fhir/Encounter', '/fhir/ServiceRequest']);
  });

  it('answers 412 when prefetch is missing and there is no fhirAuthorization, or the FHIR server refuses it', async () => {
    const none = await h.call(hookRequest({ patient: null }));
    expect(none.status).to.equal(412);
    expect((none.body.error as { code: string }).code).to.equal('ERR_CDS_DATA_UNAVAILABLE');
    const refused = await h.call(hookRequest(undefined, { fhirServer: h.fhirBase, fhirAuthorization: { access_token: 'wrong', token_type: 'Bearer' } }));
    expect(refused.status).to.equal(412);
  });

  it('never sends the token to a fhirServer that is not the practice’s GP system', async () => {
    const res = await h.call(hookRequest(undefined, { fhirServer: 'https://elsewhere.example/fhir', fhirAuthorization: { access_token: ACCESS_TOKEN, token_type: 'Bearer' } }));
    expect(res.status).to.equal(403);
    expect(h.fhirRequests).to.deep.equal([]);
  });

  it('ignores prefetched resources about another patient', async () => {
    const other = { ...lonely, id: 'c2', subject: { reference: 'Patient/someone-else' } } as Resource;
    const res = await h.call(hookRequest(fullPrefetch(other)));
    expect(res.body).to.deep.equal({ cards: [] });
  });

  it('refuses malformed requests with 400 naming the fields, and other hooks', async () => {
    const bad = await h.call({ hook: 'patient-view', hookInstance: 'x', context: { userId: 'Practitioner/1', patientId: 'not an id!' } });
    expect(bad.status).to.equal(400);
    expect((bad.body.error as { fields: { path: string }[] }).fields.map((f) => f.path)).to.deep.equal(['context.patientId']);
    const authWithoutServer = await h.call(hookRequest(undefined, { fhirAuthorization: { access_token: 'x', token_type: 'Bearer' } }));
    expect(authWithoutServer.status).to.equal(400);
    const other = await h.call({ ...hookRequest(fullPrefetch()), hook: 'order-select' });
    expect(other.status).to.equal(400);
  });
});
