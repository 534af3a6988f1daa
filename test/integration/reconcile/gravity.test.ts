import { expect } from 'chai';
import type { Communication, Observation, Procedure, Provenance, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../../src/referral-model/codes.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { gravity } from '../../fixtures/gravity/index.js';
import { all, create, ENDPOINT, read, startHarness, update, type Harness } from './harness.js';
import { ISO_DATE, RAW_ID } from '../../helpers/readable-text.js';

const GRAVITY_CODES = 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes';
const gravityType = (code: string) => ({ coding: [{ system: GRAVITY_CODES, code }] });

/** The IG's referral, placed in the test EHR for Patient/p1 (server-assigned id). */
async function igReferral(h: Harness, patient = 'p1'): Promise<ServiceRequest & { id: string }> {
  const { id: _, ...sr } = gravity<ServiceRequest>('servicerequest-food-pantry');
  return create<ServiceRequest>(h.ehrBase, { ...sr, subject: { reference: `Patient/${patient}` } });
}

/** The IG's Task at the link-worker endpoint: absolute focus (different servers), relative `for` as the IG writes it. */
function igTask(h: Harness, fixture: string, sr: { id: string }, patient = 'p1'): Task {
  const { id: _, ...task } = gravity<Task>(fixture);
  return { ...task, focus: { reference: `${h.ehrBase}/ServiceRequest/${sr.id}` }, for: { reference: `Patient/${patient}` } };
}

async function deadLetters(h: Harness) {
  return (await listDeadLetters(h.db, { limit: 1000 })).filter((d) => d.endpointId === ENDPOINT);
}

async function message(h: Harness, sr: { id: string }): Promise<string> {
  const comms = await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`);
  expect(comms, 'one message back to the GP').to.have.length(1);
  const text = (comms[0]!.payload ?? []).flatMap((p) => (p.contentString ? [p.contentString] : [])).join('\n');
  // Read as a GP reads it: names and plain dates, never ids or machine timestamps (here or in the narrative).
  expect(text).not.to.match(RAW_ID);
  expect(text).not.to.match(ISO_DATE);
  expect(comms[0]!.text?.div).not.to.match(RAW_ID);
  return text;
}

describe('reconcile Tasks shaped as the Gravity SDOH Clinical Care IG writes them', function () {
  this.timeout(300_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  it('accepted → completed with resulting-activity → Procedure: status flows, the GP hears what was done', async () => {
    // Before: the relative `for` was dead-lettered (patient-unresolvable) and the output as unknown-output-type.
    const sr = await igReferral(h);
    const { id: _, ...procedure } = gravity<Procedure>('procedure-food-pantry');
    const proc = await create<Procedure>(h.lwBase, procedure);
    let task = await create<Task>(h.lwBase, igTask(h, 'task-accepted', sr));
    await h.reconciler.runOnce();
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('active');
    task = await update<Task>(h.lwBase, { ...task, status: 'in-progress' });
    await h.reconciler.runOnce();
    const done = igTask(h, 'task-completed-procedure', sr);
    await update<Task>(h.lwBase, { ...done, id: task.id, output: [{ ...done.output![0]!, valueReference: { reference: `Procedure/${proc.id}` } }] });
    await h.reconciler.runOnce();

    expect(await deadLetters(h)).to.deep.equal([]);
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('completed');
    expect(await message(h, sr)).to.contain('Activity: Assistance with application for food pantry program (16 Sept 2020)');
    const prov = await all<Provenance>(h.ehrBase, 'Provenance', `target=ServiceRequest/${sr.id}`);
    expect(prov, 'one status change (active → completed), with Provenance').to.have.length(1);
  });

  it('resulting-activity as a code; additional-content and text-typed Observations carried by what they are', async () => {
    const sr = await igReferral(h, 'p2');
    const { id: _a, ...phq } = gravity<Observation>('observation-phq9');
    const phq9 = await create<Observation>(h.lwBase, { ...phq, subject: { reference: 'Patient/p2' } });
    const { id: _b, ...hvs } = gravity<Observation>('observation-hunger-vital-sign');
    const hunger = await create<Observation>(h.lwBase, hvs);
    const swemwbs = await create<Observation>(h.lwBase, {
      resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] }, effectiveDateTime: '2020-10-02', valueInteger: 24,
    });
    const done = igTask(h, 'task-completed-code', sr, 'p2');
    const task = await create<Task>(h.lwBase, {
      ...done,
      output: [
        ...done.output!,
        { type: gravityType('additional-content'), valueReference: { reference: `Observation/${phq9.id}` } },
        { type: gravityType('additional-content'), valueReference: { reference: `Observation/${hunger.id}` } },
        // A type given as text only: the Observation it points at still decides.
        { type: { text: 'outcome-measure' }, valueReference: { reference: `Observation/${swemwbs.id}` } },
        { type: { coding: [{ system: 'https://lw.example/output-type', code: 'case-note' }] }, valueString: 'Food bank voucher issued' },
      ],
    });
    await h.reconciler.runOnce();

    // Before: unknown-output-type dead letter; the referral stayed active and the GP never heard "completed".
    expect(await deadLetters(h)).to.deep.equal([]);
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('completed');
    const copies = await all<Observation>(h.ehrBase, 'Observation', `based-on=ServiceRequest/${sr.id}`);
    expect(copies.map((o) => o.code?.coding?.[0]?.code).sort(), 'the two known instruments, once each').to.deep.equal(['phq9', 'swemwbs']);
    const text = await message(h, sr);
    expect(text).to.contain('Activity: Assistance with application for food pantry program');
    expect(text).to.contain('Patient Health Questionnaire').and.contain(': 9');
    expect(text).to.contain('Not copied into this record (additional-content): not a recognised outcome measure');
    expect(text).to.contain('Also reported (case-note): Food bank voucher issued');
    const prov = await all<Provenance>(h.ehrBase, 'Provenance', `entity=${encodeURIComponent(`${h.lwBase}/Task/${task.id}/_history/${task.meta!.versionId}`)}`);
    expect(prov).to.have.length(1);
    const notes = prov[0]!.entity!.filter((e) => e.what?.display?.startsWith('Not carried'));
    expect(notes.map((e) => e.what!.reference)).to.include(`${h.lwBase}/Observation/${hunger.id}`);
    expect(notes.map((e) => e.what!.display).join('\n')).to.contain('not a known outcome instrument').and.contain('case-note');

    // A second run writes nothing again.
    const before = (await all(h.ehrBase, 'Provenance')).length;
    await h.reconciler.runOnce();
    expect((await all(h.ehrBase, 'Provenance')).length).to.equal(before);
  });

  it('a Task whose outputs are all unknown still moves the referral and tells the GP', async () => {
    const sr = await igReferral(h, 'p3');
    await create<Task>(h.lwBase, {
      ...igTask(h, 'task-accepted', sr, 'p3'), status: 'completed',
      output: [
        { type: { text: 'mystery' }, valueBoolean: true },
        { type: { coding: [{ system: 'https://lw.example/output-type', code: 'attachment' }] }, valueReference: { reference: 'DocumentReference/d1' } },
        { type: gravityType('resulting-activity'), valueReference: { reference: 'https://elsewhere.example/fhir/Procedure/9' } },
      ],
    });
    await h.reconciler.runOnce();
    expect(await deadLetters(h)).to.deep.equal([]);
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('completed');
    const text = await message(h, sr);
    expect(text.match(/Not copied into this record/g)).to.have.length(3);
    expect(text).to.contain('held on another system');
  });

  it('dead-letters only the unsafe: a relative `for` naming another patient, with a reason an engineer can act on', async () => {
    const sr = await igReferral(h, 'p1');
    const t = await create<Task>(h.lwBase, igTask(h, 'task-accepted', sr, 'p2'));
    await h.reconciler.runOnce();
    const parked = (await deadLetters(h)).find((d) => d.sourceRef.startsWith(`Task/${t.id}/`));
    expect(parked?.errorCode).to.equal('ERR_RECONCILE_BAD_INPUT:patient-mismatch');
    expect(parked?.reason).to.contain('Patient/p2').and.contain(`ServiceRequest/${sr.id}`);
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('active');
  });
});
