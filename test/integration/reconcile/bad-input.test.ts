import { expect } from 'chai';
import type { Communication, Observation, Provenance, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { all, create, ehrCounts, ENDPOINT, NHS, plainReferral, read, startHarness, taskFor, type Harness } from './harness.js';

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
  { name: 'patient on a server that is not a configured EHR', kind: 'patient-unresolvable', via: 'server', task: async (h, sr) => good(h, sr, { for: { reference: 'https://elsewhere.example/fhir/Patient/1' } }) },
  { name: 'patient named by display only', kind: 'patient-unresolvable', via: 'server', task: async (h, sr) => good(h, sr, { for: { display: 'A person' } }) },
  { name: 'Task for a Group', kind: 'patient-unresolvable', via: 'server', task: async (h, sr) => good(h, sr, { for: { reference: 'Group/g1' } }) },
  { name: 'relative reference to another patient of the EHR', kind: 'patient-mismatch', via: 'server', task: async (h, sr) => good(h, sr, { for: { reference: 'Patient/p2' } }) },
  { name: 'owned by another organisation', kind: 'wrong-owner', via: 'server', task: async (h, sr) => good(h, sr, { owner: { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: 'Y00001' } } }) },
  { name: 'oversized Task', kind: 'oversized', via: 'server', task: async (h, sr) => good(h, sr, { note: [{ text: 'x'.repeat(300 * 1024) }] }) },
  { name: 'oversized status reason', kind: 'oversized', via: 'server', task: async (h, sr) => good(h, sr, { status: 'rejected', statusReason: { text: 'r'.repeat(20_000) } }) },
  { name: 'oversized safeguarding detail', kind: 'oversized', via: 'server', task: async (h, sr) => good(h, sr, { extension: [{ url: EXTENSION.safeguardingConcern, extension: [{ url: 'flag', valueBoolean: true }, { url: 'detail', valueString: 's'.repeat(20_000) }] }] }) },
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

interface OutputCase {
  name: string;
  /** What the Provenance note and the operator's log say (the kind that used to dead-letter the whole Task version). */
  why: string;
  output: (h: Harness) => Promise<NonNullable<Task['output']>[number]>;
}

const stored = async (h: Harness, o: Observation) => ({ type: out('outcome-measure'), valueReference: { reference: `Observation/${(await create<Observation>(h.lwBase, o)).id}` } });

const OUTPUT_CASES: OutputCase[] = [
  { name: 'unknown output type', why: 'type SP Link does not use', output: async () => ({ type: { coding: [{ system: 'https://elsewhere.example/output', code: 'mystery' }] }, valueString: 'x' }) },
  { name: 'outcome output without a reference', why: 'no valueReference', output: async () => ({ type: out('outcome-measure'), valueString: 'SWEMWBS 20' }) },
  { name: 'negative sessions held', why: 'whole number of sessions', output: async () => ({ type: out('sessions-held'), valueInteger: -1 }) },
  { name: 'outcome on another server', why: 'neither the link-worker endpoint nor a configured EHR', output: async () => ({ type: out('outcome-measure'), valueReference: { reference: 'https://elsewhere.example/fhir/Observation/1' } }) },
  { name: 'outcome Observation missing', why: 'was not found', output: async () => ({ type: out('outcome-measure'), valueReference: { reference: 'Observation/missing' } }) },
  { name: 'unknown instrument', why: 'not a known outcome instrument', output: async (h) => stored(h, obs('made-up-scale', { valueInteger: 3 })) },
  { name: 'total score out of range', why: 'outside 7–35', output: async (h) => stored(h, obs('swemwbs', { valueInteger: 99 })) },
  { name: 'fractional score', why: 'outside', output: async (h) => stored(h, obs('ucla3', { valueQuantity: { value: 4.5 } })) },
  { name: 'item score out of range', why: 'outside 0–10', output: async (h) => stored(h, obs('ons4', { component: [{ code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'ons4-happiness' }] }, valueInteger: 11 }] })) },
];

describe('reconcile: outputs SP Link cannot use are recorded, never a reason to hold back the status', function () {
  this.timeout(300_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ ownerOds: OWNER_ODS });
  });
  after(async () => h?.close());

  for (const c of OUTPUT_CASES) {
    it(`${c.name}: the referral completes, the GP's message says what was not copied, Provenance says why`, async () => {
      // Before: the whole Task version was dead-lettered and the referral stayed active.
      const sr = await plainReferral(h);
      const task = await create<Task>(h.lwBase, good(h, sr, { status: 'completed', output: [await c.output(h), { type: out('summary'), valueString: 'Joined a choir' }] }));
      const r = await h.reconciler.runOnce();
      expect(r.endpoints[ENDPOINT]).to.include({ status: 'caught-up', deadLettered: 0 });
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('completed');
      const [comm] = await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`);
      const text = (comm?.payload ?? []).map((p) => p.contentString).join('\n');
      expect(text).to.contain('Joined a choir').and.match(/Not copied into this record|Also reported/);
      expect(await all(h.ehrBase, 'Observation', `based-on=ServiceRequest/${sr.id}`)).to.have.length(0);
      const [prov] = await all<Provenance>(h.ehrBase, 'Provenance', `entity=${encodeURIComponent(`${h.lwBase}/Task/${task.id}/_history/${task.meta!.versionId}`)}`);
      const notes = (prov?.entity ?? []).map((e) => e.what?.display ?? '').filter((d) => d.startsWith('Not carried'));
      expect(notes).to.have.length(1);
      expect(notes[0]).to.contain(c.why).and.contain(`Task/${task.id}`);
    });
  }

  it('an oversized summary is shortened for the GP, not refused', async () => {
    const sr = await plainReferral(h);
    await create<Task>(h.lwBase, good(h, sr, { status: 'completed', output: [{ type: out('summary'), valueString: 'y'.repeat(20_000) }] }));
    await h.reconciler.runOnce();
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('completed');
    const [comm] = await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`);
    expect((comm?.payload ?? []).map((p) => p.contentString).join('\n')).to.contain('shortened; the full text is held by the link-worker service');
    expect(await listDeadLetters(h.db, { limit: 1000 })).to.have.length(0);
  });
});
