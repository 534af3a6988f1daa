import { expect } from 'chai';
import type { Observation, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../../src/fhir/codes.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { create, ehrCounts, ENDPOINT, NHS, plainReferral, read, startHarness, taskFor, type Harness } from './harness.js';

const OWNER_ODS = 'Y99950';
const out = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });
const owner = { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: OWNER_ODS } };
const obs = (code: string, over: Partial<Observation> = {}): Observation => ({
  resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code }] }, effectiveDateTime: '2026-03-01', ...over,
});

interface Case {
  name: string;
  kind: string;
  /** Stored at the link-worker endpoint (picked up by the feed), or handed over as-is (malformed beyond what a server stores). */
  via: 'server' | 'direct';
  task: (h: Harness, sr: ServiceRequest & { id: string }) => Promise<Task | Record<string, unknown>>;
}

const good = (h: Harness, sr: { id: string }, over: Partial<Task> = {}): Task => taskFor(h, sr, 0, { owner, ...over });
const withObs = async (h: Harness, sr: { id: string }, o: Observation): Promise<Task> => {
  const stored = await create<Observation>(h.lwBase, o);
  return good(h, sr, { status: 'completed', output: [{ type: out('outcome-measure'), valueReference: { reference: `Observation/${stored.id}` } }] });
};

const CASES: Case[] = [
  { name: 'not a Task at all', kind: 'not-a-task', via: 'direct', task: async () => ({ resourceType: 'Observation', id: 'x1', meta: { versionId: '1' } }) },
  { name: 'no version id', kind: 'missing-version', via: 'direct', task: async (h, sr) => ({ ...good(h, sr), id: 'nv1', meta: {} }) },
  { name: 'status outside the R4 value set', kind: 'invalid-status', via: 'direct', task: async (h, sr) => ({ ...good(h, sr), id: 'bs1', meta: { versionId: '1' }, status: 'finished' }) },
  { name: 'malformed id', kind: 'missing-id', via: 'direct', task: async (h, sr) => ({ ...good(h, sr), id: '../../etc', meta: { versionId: '1' } }) },
  { name: 'missing focus', kind: 'missing-focus', via: 'server', task: async (h, sr) => { const t = good(h, sr); delete t.focus; return t; } },
  { name: 'focus is a Patient', kind: 'focus-not-service-request', via: 'server', task: async (h, sr) => good(h, sr, { focus: { reference: `${h.ehrBase}/Patient/p1` } }) },
  { name: 'focus on another server', kind: 'focus-unknown-server', via: 'server', task: async (h, sr) => good(h, sr, { focus: { reference: 'https://elsewhere.example/fhir/ServiceRequest/1' } }) },
  { name: 'relative focus when EHR and endpoint are different servers', kind: 'focus-unknown-server', via: 'server', task: async (h, sr) => good(h, sr, { focus: { reference: `ServiceRequest/${sr.id}` } }) },
  { name: 'focus ServiceRequest does not exist', kind: 'focus-not-found', via: 'server', task: async (h, sr) => good(h, sr, { focus: { reference: `${h.ehrBase}/ServiceRequest/nope` } }) },
  { name: 'no patient (for)', kind: 'missing-for', via: 'server', task: async (h, sr) => { const t = good(h, sr); delete t.for; return t; } },
  { name: 'NHS number of another patient', kind: 'patient-mismatch', via: 'server', task: async (h, sr) => good(h, sr, { for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: NHS[1]! } } }) },
  { name: 'reference to another EHR patient', kind: 'patient-mismatch', via: 'server', task: async (h, sr) => good(h, sr, { for: { reference: `${h.ehrBase}/Patient/p2` } }) },
  { name: 'invalid NHS number check digit', kind: 'invalid-nhs-number', via: 'direct', task: async (h, sr) => ({ ...good(h, sr, { for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: '1234567890' } } }), id: 'nhs1', meta: { versionId: '1' } }) },
  { name: 'patient only known at the endpoint', kind: 'patient-unresolvable', via: 'server', task: async (h, sr) => good(h, sr, { for: { reference: 'Patient/local-1' } }) },
  { name: 'owned by another organisation', kind: 'wrong-owner', via: 'server', task: async (h, sr) => good(h, sr, { owner: { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: 'Y00001' } } }) },
  { name: 'unknown output type', kind: 'unknown-output-type', via: 'server', task: async (h, sr) => good(h, sr, { output: [{ type: { coding: [{ system: 'https://elsewhere.example/output', code: 'mystery' }] }, valueString: 'x' }] }) },
  { name: 'outcome output without a reference', kind: 'invalid-output', via: 'server', task: async (h, sr) => good(h, sr, { output: [{ type: out('outcome-measure'), valueString: 'SWEMWBS 20' }] }) },
  { name: 'negative sessions held', kind: 'invalid-output', via: 'direct', task: async (h, sr) => ({ ...good(h, sr, { output: [{ type: out('sessions-held'), valueInteger: -1 }] }), id: 'neg1', meta: { versionId: '1' } }) },
  { name: 'outcome on another server', kind: 'output-other-server', via: 'server', task: async (h, sr) => good(h, sr, { output: [{ type: out('outcome-measure'), valueReference: { reference: 'https://elsewhere.example/fhir/Observation/1' } }] }) },
  { name: 'outcome Observation missing', kind: 'output-not-found', via: 'server', task: async (h, sr) => good(h, sr, { output: [{ type: out('outcome-measure'), valueReference: { reference: 'Observation/missing' } }] }) },
  { name: 'unknown instrument', kind: 'unknown-instrument', via: 'server', task: async (h, sr) => withObs(h, sr, obs('made-up-scale', { valueInteger: 3 })) },
  { name: 'total score out of range', kind: 'score-out-of-range', via: 'server', task: async (h, sr) => withObs(h, sr, obs('swemwbs', { valueInteger: 99 })) },
  { name: 'fractional score', kind: 'score-out-of-range', via: 'server', task: async (h, sr) => withObs(h, sr, obs('ucla3', { valueQuantity: { value: 4.5 } })) },
  { name: 'item score out of range', kind: 'score-out-of-range', via: 'server', task: async (h, sr) => withObs(h, sr, obs('ons4', { component: [{ code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'ons4-happiness' }] }, valueInteger: 11 }] })) },
  { name: 'oversized Task', kind: 'oversized', via: 'server', task: async (h, sr) => good(h, sr, { note: [{ text: 'x'.repeat(300 * 1024) }] }) },
  { name: 'oversized summary', kind: 'oversized', via: 'server', task: async (h, sr) => good(h, sr, { status: 'completed', output: [{ type: out('summary'), valueString: 'y'.repeat(20_000) }] }) },
];

describe('reconcile bad-input corpus: every case dead-lettered, nothing written, the reconciler keeps going', function () {
  this.timeout(300_000);
  let h: Harness;
  let sr: ServiceRequest & { id: string };
  let baseline: Record<string, number>;

  before(async () => {
    h = await startHarness({ ownerOds: OWNER_ODS });
    sr = await plainReferral(h);
    baseline = await ehrCounts(h);
    const direct: Task[] = [];
    for (const c of CASES) {
      const t = await c.task(h, sr);
      if (c.via === 'server') await create(h.lwBase, t as Task);
      else direct.push(t as Task);
    }
    await h.reconciler.applyTaskVersions(ENDPOINT, direct);
    await h.reconciler.runOnce();
  });
  after(async () => h?.close());

  it(`has at least 20 cases (${CASES.length})`, () => {
    expect(CASES.length).to.be.at.least(20);
  });

  it('dead-letters each case with its own clear reason', async () => {
    const dead = await listDeadLetters(h.db, { limit: 1000 });
    expect(dead).to.have.length(CASES.length);
    const kinds = dead.map((d) => d.errorCode.replace('ERR_RECONCILE_BAD_INPUT:', '')).sort();
    expect(kinds).to.deep.equal(CASES.map((c) => c.kind).sort());
    for (const d of dead) {
      expect(d.reason.length, d.errorCode).to.be.greaterThan(20);
      expect(d.reason, 'no patient identifiers in reasons').to.not.contain(NHS[0]).and.not.contain(NHS[1]);
    }
  });

  it('writes nothing to the EHR for any of them', async () => {
    expect(await ehrCounts(h)).to.deep.equal(baseline);
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('active');
  });

  it('keeps reconciling good Tasks afterwards, and replays nothing new', async () => {
    const sr2 = await plainReferral(h);
    await create(h.lwBase, good(h, sr2, { status: 'rejected', statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: 'patient-declined' }] } }));
    const r = await h.reconciler.runOnce();
    expect(r.endpoints[ENDPOINT]).to.include({ status: 'caught-up', deadLettered: 0 });
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr2.id)).status).to.equal('revoked');
    expect(await listDeadLetters(h.db, { limit: 1000 })).to.have.length(CASES.length);
  });
});
