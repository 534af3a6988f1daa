import { expect } from 'chai';
import type { Observation, Provenance, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, PROFILE } from '../../../src/referral-model/codes.js';
import { openDb } from '../../../src/store/db.js';
import { all, create, ENDPOINT, plainReferral, read, startHarness, taskFor, update, type Harness } from './harness.js';

const out = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });

/** A workspace-style SWEMWBS Observation at the link-worker endpoint. */
const swemwbs = (score: number): Observation => ({
  resourceType: 'Observation', status: 'final', meta: { profile: [PROFILE.outcomeObservation] },
  code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] },
  effectiveDateTime: '2026-03-01', valueInteger: score,
});

describe('reconcile: outcome corrections reach the EHR copy', function () {
  this.timeout(300_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  /** Bumps the Task, as the workspace does in the same transaction as a correction. */
  async function touchTask(id: string): Promise<Task & { id: string }> {
    const current = await read<Task>(h.lwBase, 'Task', id);
    return update<Task>(h.lwBase, { ...current, lastModified: new Date().toISOString() });
  }

  it('corrects the copy in place once, then propagates entered-in-error without deleting or duplicating it', async () => {
    const sr = await plainReferral(h);
    const obs = await create<Observation>(h.lwBase, swemwbs(24));
    const task = await create<Task>(h.lwBase, taskFor(h, sr, 0, {
      status: 'in-progress', output: [{ type: out('outcome-measure'), valueReference: { reference: `Observation/${obs.id}` } }],
    }));
    let r = await h.reconciler.runOnce();
    expect(r.endpoints[ENDPOINT]).to.include({ deadLettered: 0, failed: 0 });
    const copies = () => all<Observation>(h.ehrBase, 'Observation', `based-on=ServiceRequest/${sr.id}`);
    const [original] = await copies();
    expect(original).to.deep.include({ status: 'final', valueInteger: 24 });

    // The link worker corrects a mistyped score: source updated, Task touched in the same change.
    await update<Observation>(h.lwBase, { ...obs, status: 'corrected', valueInteger: 31, note: [{ authorString: 'Link Worker', text: 'Corrected: score mistyped' }] });
    const corrected = await touchTask(task.id);
    r = await h.reconciler.runOnce();
    expect(r.endpoints[ENDPOINT]).to.include({ deadLettered: 0, failed: 0 });
    let now = await copies();
    expect(now, 'still one copy').to.have.length(1);
    expect(now[0]!.id).to.equal(original!.id);
    expect(now[0]).to.deep.include({ status: 'corrected', valueInteger: 31 });
    expect(now[0]!.note?.map((n) => n.text)).to.deep.equal(['Corrected: score mistyped']);
    expect(now[0]!.meta?.source).to.match(new RegExp(`/Observation/${obs.id}/_history/2$`));
    const correctedVersion = now[0]!.meta?.versionId;
    const provs = await all<Provenance>(h.ehrBase, 'Provenance', `target=Observation/${original!.id}`);
    expect(provs.some((p) => p.entity?.some((e) => e.what?.reference?.endsWith(`/Task/${task.id}/_history/${corrected.meta?.versionId}`))), 'Provenance of the correcting Task version').to.equal(true);

    // Applying again (a later Task version, and the same version after progress was lost) writes nothing more.
    await touchTask(task.id);
    await h.reconciler.runOnce();
    const fresh = await h.startReconciler({ db: await openDb({ memory: true }) });
    await fresh.applyTaskVersions(ENDPOINT, [corrected]);
    now = await copies();
    expect(now).to.have.length(1);
    expect(now[0]!.meta?.versionId, 'the copy was updated exactly once').to.equal(correctedVersion);

    // Recorded in error: the copy becomes entered-in-error, keeps its scores, and is not deleted.
    const latest = await read<Observation>(h.lwBase, 'Observation', obs.id);
    await update<Observation>(h.lwBase, { ...latest, status: 'entered-in-error', note: [...(latest.note ?? []), { authorString: 'Link Worker', text: 'Recorded in error: wrong person' }] });
    await touchTask(task.id);
    r = await h.reconciler.runOnce();
    expect(r.endpoints[ENDPOINT]).to.include({ deadLettered: 0, failed: 0 });
    now = await copies();
    expect(now).to.have.length(1);
    expect(now[0]).to.deep.include({ id: original!.id, status: 'entered-in-error', valueInteger: 31 });
    expect(now[0]!.note?.map((n) => n.text)).to.include('Recorded in error: wrong person');
    const retractedVersion = now[0]!.meta?.versionId;

    // Once entered-in-error, the copy stays so, whatever comes later.
    await touchTask(task.id);
    await h.reconciler.runOnce();
    expect((await copies())[0]!.meta?.versionId).to.equal(retractedVersion);
  });

  it('creates nothing for a measure recorded in error before it was ever copied', async () => {
    const sr = await plainReferral(h, 'p2');
    const obs = await create<Observation>(h.lwBase, { ...swemwbs(30), status: 'entered-in-error' });
    await create<Task>(h.lwBase, taskFor(h, sr, 1, {
      status: 'in-progress', output: [{ type: out('outcome-measure'), valueReference: { reference: `Observation/${obs.id}` } }],
    }));
    const r = await h.reconciler.runOnce();
    expect(r.endpoints[ENDPOINT]).to.include({ deadLettered: 0, failed: 0 });
    expect(await all<Observation>(h.ehrBase, 'Observation', `based-on=ServiceRequest/${sr.id}`)).to.have.length(0);
  });

  it('re-reads the copy and still corrects it once when the EHR answers 412 Precondition Failed', async () => {
    const sr = await plainReferral(h, 'p3');
    const obs = await create<Observation>(h.lwBase, swemwbs(20));
    const task = await create<Task>(h.lwBase, taskFor(h, sr, 2, {
      status: 'in-progress', output: [{ type: out('outcome-measure'), valueReference: { reference: `Observation/${obs.id}` } }],
    }));
    await h.reconciler.runOnce();
    const copies = () => all<Observation>(h.ehrBase, 'Observation', `based-on=ServiceRequest/${sr.id}`);
    const [copy] = await copies();
    await update<Observation>(h.lwBase, { ...obs, status: 'corrected', valueInteger: 21 });
    await touchTask(task.id);
    const fault = { server: 'ehr' as const, method: 'POST', path: /^\/?(\?|$)/, status: 412, times: 1 };
    h.inject(fault);
    const r = await h.reconciler.runOnce();
    expect(fault.times, 'the 412 was answered').to.equal(0);
    expect(r.endpoints[ENDPOINT]).to.include({ deadLettered: 0, failed: 0 });
    const now = await copies();
    expect(now).to.have.length(1);
    expect(now[0]).to.deep.include({ id: copy!.id, status: 'corrected', valueInteger: 21 });
    expect(Number(now[0]!.meta?.versionId)).to.equal(Number(copy!.meta?.versionId) + 1);
  });
});
