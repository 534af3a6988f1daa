import { expect } from 'chai';
import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../../../src/referral-model/codes.js';
import { readNeedsChange } from '../../../../src/referral-model/needs-change.js';
import { parseTask } from '../../../../src/reconcile/rules/parse-task.js';
import { summariseReferral } from '../../../../src/referrals/referral-view.js';
import { composeMessageBack } from '../../../../src/message-back/compose.js';
import { messageBackText } from '../../../../src/message-back/document.js';
import { validateForWrite } from '../../../../src/fhir/validate/index.js';
import { changeNeeds } from '../../../../src/workspace/domain/task-builders.js';
import { parseAction } from '../../../../src/workspace/domain/schemas.js';
import { readReferral } from '../../../../src/workspace/domain/referral-details.js';
import { EHR, topology } from '../../../helpers/task-fixtures.js';
import { ctx, referralTask, TODAY } from '../fixtures.js';

/** A Task whose referral copy names loneliness (as the GP app sends it). */
function referred(over: Partial<Task> = {}): Task {
  const copy: ServiceRequest = {
    resourceType: 'ServiceRequest', id: 'referral', status: 'active', intent: 'order', subject: { reference: '#patient' },
    reasonCode: [{ coding: [{ system: CODE_SYSTEM.need, code: 'loneliness', display: 'Loneliness' }] }],
  };
  return referralTask({
    status: 'in-progress',
    contained: [copy, { resourceType: 'Patient', id: 'patient', name: [{ given: ['Rose'], family: 'Hill' }] }],
    input: [{ type: { coding: [{ system: CODE_SYSTEM.prsbSection, code: 'referral-details' }] }, valueReference: { reference: '#referral' } }],
    ...over,
  });
}

describe('needs changed after referral, with a reason, shown to the GP', () => {
  it('parses the form: at least one need from the list, and a reason', () => {
    const bad = parseAction('needs', { reason: ' ' }, TODAY);
    expect(bad).to.deep.equal({ ok: false, errors: { needs: 'Select at least one need', reason: 'Enter why the needs have changed' } });
    expect(parseAction('needs', { needs: 'made-up', reason: 'x' }, TODAY).ok).to.equal(false);
    const ok = parseAction('needs', { needs: ['loneliness', 'housing'], reason: 'Facing eviction' }, TODAY);
    expect(ok.ok && ok.value.needs).to.deep.equal(['loneliness', 'housing']);
  });

  it('records the needs as found on the Task (valid SPLinkReferralTask) and what changed and why in the case record', function () {
    this.timeout(120_000); // the first validation loads the FHIR definitions
    const r = changeNeeds(referred(), { needs: ['loneliness', 'housing'], reason: 'Facing eviction next month' }, ctx());
    if (!r.ok) throw new Error(r.message);
    const t = r.change.task;
    expect(t.output?.filter((o) => o.type.coding?.[0]?.code === 'needs-identified').map((o) => o.valueCodeableConcept?.coding?.[0]?.code)).to.deep.equal(['loneliness', 'housing']);
    expect(t.note?.at(-1)?.text).to.equal('Needs changed\nNow: Loneliness, Housing problem\nAdded: Housing problem\nReason: Facing eviction next month');
    expect(() => validateForWrite(t)).to.not.throw();
    expect(readNeedsChange(t)).to.deep.include({ needs: ['Loneliness', 'Housing problem'], reason: 'Facing eviction next month', by: 'Amira Shah' });
    expect(readReferral(t).needsChange?.codes).to.deep.equal(['loneliness', 'housing']);

    // A second change replaces the first; the same needs again are refused.
    const again = changeNeeds(t, { needs: ['housing'], reason: 'No longer lonely: joined a group' }, ctx());
    if (!again.ok) throw new Error(again.message);
    expect(readNeedsChange(again.change.task)).to.deep.include({ codes: ['housing'], reason: 'No longer lonely: joined a group' });
    expect(again.change.task.note?.at(-1)?.text).to.contain('Removed: Loneliness');
    const same = changeNeeds(again.change.task, { needs: ['housing'], reason: 'x' }, ctx());
    expect(same.ok).to.equal(false);
    expect(changeNeeds(referred({ status: 'completed' }), { needs: ['housing'], reason: 'x' }, ctx()).ok, 'not on a closed case').to.equal(false);
  });

  it('shows the GP the needs now and why (GP app card and timeline), and carries them in the message back', () => {
    const r = changeNeeds(referred(), { needs: ['loneliness', 'housing'], reason: 'Facing eviction' }, ctx());
    if (!r.ok) throw new Error(r.message);
    const sr: ServiceRequest = { resourceType: 'ServiceRequest', id: 'sr-1', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, authoredOn: '2026-11-20T09:00:00Z', identifier: [{ system: IDENTIFIER_SYSTEM.referral, value: 'SPL-AAAA-BBBB' }] };
    const view = summariseReferral(sr, { task: r.change.task, observations: [], communications: [] }, IDENTIFIER_SYSTEM.referral, { now: new Date('2026-11-24T12:00:00Z') });
    expect(view.needsChange).to.deep.include({ needs: ['Loneliness', 'Housing problem'], reason: 'Facing eviction' });
    expect(view.timeline.map((e) => e.text)).to.include('Needs changed by Amira Shah: Loneliness, Housing problem. Reason: Facing eviction');

    // As the reconciler reads it from the link-worker endpoint (the referral on the EHR it knows).
    const parsed = parseTask({ ...r.change.task, focus: { reference: `${EHR}/ServiceRequest/sr1` }, meta: { versionId: '3', lastUpdated: '2026-11-24T10:00:00Z' } }, topology);
    if (!parsed.ok) throw new Error(`task did not parse: ${JSON.stringify(parsed)}`);
    expect(parsed.task.outputs.filter((o) => o.type === 'needs-identified').map((o) => (o as { text: string }).text)).to.deep.equal(['Loneliness', 'Housing problem']);
    expect(parsed.task.outputs.some((o) => o.type === 'unused'), 'nothing "not copied" for the GP to chase').to.equal(false);
    const text = messageBackText(composeMessageBack({ topic: 'referral-completed', from: 'Fernbridge Community Connect', sent: '2026-11-24T10:00:00Z', referral: { needs: ['Loneliness'], needsFound: ['Loneliness', 'Housing'] } }));
    expect(text).to.contain('Needs as the link worker found them: Loneliness, Housing');
  });
});
