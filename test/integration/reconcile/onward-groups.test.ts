import { expect } from 'chai';
import type { Communication, Provenance, ServiceRequest, Task } from '@medplum/fhirtypes';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { referralKey } from '../../../src/reports/referral-fact.js';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { buildOnwardReferral, readOnwardReferral, withdrawByLinkWorker } from '../../../src/referral-model/onward-referral.js';
import { all, create, ENDPOINT, plainReferral, read, startHarness, taskFor, update, type Harness } from './harness.js';

/** A community group whose own FHIR server SP Link watches (endpoint `lw2`), configured as a provider `via: endpoint`. */
const GROUP = { via: 'endpoint', organization: 'Organization/org-walk', odsCode: 'WALK1', name: 'Fernbridge Leisure Trust', endpoint: 'lw2' } as const;

for (const groupDialect of ['medplum', 'hapi'] as const) {
  describe(`reconcile: an onward referral answered on the group's own FHIR server (its server's dialect ${groupDialect})`, function () {
    this.timeout(300_000);
    let h: Harness;
    let groupBase: string;
    const copiesOf = async (sub: Task) => all<Task>(groupBase, 'Task', `identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.onwardReferral}|${sub.identifier![0]!.value!}`)}`);
    const onward = (parent: Task, id: string, name: string) => buildOnwardReferral({
      parent, service: { id, name, provider: { reference: GROUP.organization, display: GROUP.name }, providerOds: GROUP.odsCode },
      requester: { reference: 'Practitioner/lw1', display: 'Sarah Whitfield' }, consent: { date: '2026-11-30', recorder: { reference: 'Practitioner/lw1', display: 'Sarah Whitfield' } },
      person: { name: [{ given: ['Jo'], family: 'Bloggs' }], telecom: [{ system: 'phone', value: '07700 900123' }] }, note: 'Mornings are best.', now: new Date(),
    });

    before(async () => {
      h = await startHarness({ lwDialect: 'sp-link', second: { dialect: groupDialect }, endpoint: { directReferrals: [GROUP] } });
      groupBase = `${h.base}/lw2/fhir`;
    });
    after(async () => h?.close());

    it('the referral reaches the group’s server; each answer there reaches the onward referral the case reads, with Provenance; the GP’s message back reports it', async () => {
      const sr = await plainReferral(h);
      const parent = await create<Task>(h.lwBase, taskFor(h, sr, 0, { status: 'in-progress' }));
      const sub = await create<Task>(h.lwBase, onward(parent, 'svc-walking', 'Healthy Steps walking group'));
      await h.reconciler.runOnce();

      // 1. The copy on the group's server: SP Link's key, part of the referral Task at the link-worker endpoint.
      let copies = await copiesOf(sub);
      expect(copies).to.have.length(1);
      const copy = copies[0]!;
      expect(copy.partOf?.[0]?.reference).to.equal(`${h.lwBase}/Task/${parent.id}`);
      expect(copy.status).to.equal('requested');
      expect(copy.owner?.identifier?.value).to.equal('WALK1');
      expect(copy.input?.find((i) => i.valueReference?.reference?.includes('HealthcareService'))?.valueReference?.reference).to.equal(`${h.lwBase}/HealthcareService/svc-walking`);
      expect(copy.note?.[0]?.text).to.equal('Mornings are best.');
      await h.reconciler.runOnce();
      expect(await copiesOf(sub), 'forwarded once, however often it is seen').to.have.length(1);

      // 2. The group answers in its own system, as such systems write: accepted, started, finished with sessions as unsignedInt.
      let theirs = await update<Task>(groupBase, { ...copy, id: copy.id!, status: 'accepted', lastModified: new Date().toISOString() });
      await h.reconciler.runOnce();
      expect((await read<Task>(h.lwBase, 'Task', sub.id)).status).to.equal('accepted');
      theirs = await update<Task>(groupBase, { ...theirs, status: 'in-progress', note: [...(theirs.note ?? []), { time: new Date().toISOString(), text: 'Came to the Tuesday walk.' }] });
      await update<Task>(groupBase, {
        ...theirs, status: 'completed',
        output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'sessions-held' }] }, valueUnsignedInt: 4 }],
      });
      await h.reconciler.runOnce();

      const ours = await read<Task>(h.lwBase, 'Task', sub.id);
      const view = readOnwardReferral(ours);
      expect(view).to.include({ state: 'finished', sessionsAttended: 4, service: 'Healthy Steps walking group' });
      expect(ours.note?.map((n) => n.text)).to.include('Came to the Tuesday walk.');
      const prov = await all<Provenance>(h.lwBase, 'Provenance', `target=Task/${sub.id}`);
      expect(prov.length, 'a Provenance per answer carried').to.be.at.least(1);
      expect(prov.some((p) => p.agent?.some((a) => a.who?.display === GROUP.name) && p.entity?.some((e) => e.what?.reference?.startsWith(`${groupBase}/Task/${copy.id}/_history/`)))).to.equal(true);

      // 3. Echoes write nothing: the onward referral and its copy stay as they are.
      const before = [ours.meta?.versionId, (await read<Task>(groupBase, 'Task', copy.id!)).meta?.versionId];
      await h.reconciler.runOnce();
      await h.reconciler.runOnce();
      expect([(await read<Task>(h.lwBase, 'Task', sub.id)).meta?.versionId, (await read<Task>(groupBase, 'Task', copy.id!)).meta?.versionId]).to.deep.equal(before);

      // The services report's fact, captured as the loop ran (the answer written here is seen on the run after): the onward
      // referral once, not the group's copy too, as far as it got.
      const rows = (await h.db.query<{ onward_key: string; referral_key: string; community_service: string; state: string; sessions: number | null }>(
        'SELECT onward_key, referral_key, community_service, state, sessions FROM report_onward')).rows;
      expect(rows.map((r) => r.onward_key), 'the copy is not counted').not.to.include(referralKey('lw2', copy.id!));
      expect(rows.filter((r) => r.referral_key === referralKey(ENDPOINT, parent.id))).to.deep.equal([{ onward_key: referralKey(ENDPOINT, sub.id), referral_key: referralKey(ENDPOINT, parent.id), community_service: 'Healthy Steps walking group', state: 'finished', sessions: 4 }]);

      // 4. The referral completes: the message back reports the group's answer as the portal's would be.
      await update<Task>(h.lwBase, { ...(await read<Task>(h.lwBase, 'Task', parent.id)), status: 'completed', output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'summary' }] }, valueString: 'Walking weekly now.' }] });
      const r = await h.reconciler.runOnce();
      expect(r.endpoints[ENDPOINT], JSON.stringify(r.endpoints[ENDPOINT])).to.include({ deadLettered: 0, failed: 0 });
      const done = (await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`)).filter((c) => c.topic?.coding?.[0]?.code === 'referral-completed');
      expect(done).to.have.length(1);
      expect((done[0]!.payload ?? []).map((p) => p.contentString)).to.include('Referred on to Healthy Steps walking group (Fernbridge Leisure Trust): attended and finished, 4 sessions attended');
      copies = await copiesOf(sub);
      expect(copies).to.have.length(1);
      expect((await listDeadLetters(h.db, { limit: 100 })).map((d) => d.reason)).to.deep.equal([]);
    });

    it('an answer after the referral completed reaches the GP as an update, once per answer, never repeating the message back', async () => {
      const sr = await plainReferral(h, 'p3');
      const parent = await create<Task>(h.lwBase, taskFor(h, sr, 2, { status: 'in-progress' }));
      const sub = await create<Task>(h.lwBase, onward(parent, 'svc-strollers', 'Buggy walks'));
      await h.reconciler.runOnce();
      const [copy] = await copiesOf(sub);
      let theirs = await update<Task>(groupBase, { ...copy!, id: copy!.id!, status: 'accepted' });
      await h.reconciler.runOnce();
      await update<Task>(h.lwBase, { ...(await read<Task>(h.lwBase, 'Task', parent.id)), status: 'completed', output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'summary' }] }, valueString: 'Support ended.' }] });
      await h.reconciler.runOnce();
      const messages = async () => (await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`)).map((c) => ({ topic: c.topic?.coding?.[0]?.code, lines: (c.payload ?? []).flatMap((p) => (p.contentString ? [p.contentString] : [])) }));
      expect((await messages()).find((m) => m.topic === 'referral-completed')?.lines).to.include('Referred on to Buggy walks (Fernbridge Leisure Trust): accepted, not attended yet');

      // The group records the first session in its own system, weeks later: the GP is told, once.
      theirs = await update<Task>(groupBase, { ...theirs, status: 'in-progress' });
      for (let i = 0; i < 3; i++) await h.reconciler.runOnce();
      let updates = (await messages()).filter((m) => m.topic === 'referral-progress');
      expect(updates).to.have.length(1);
      expect(updates[0]!.lines).to.include('Referred on to Buggy walks (Fernbridge Leisure Trust): attended');
      expect(updates[0]!.lines.join('\n')).to.contain('this is news from a group the person was referred on to');
      await update<Task>(groupBase, { ...theirs, status: 'completed', output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'sessions-held' }] }, valueInteger: 6 }] });
      for (let i = 0; i < 3; i++) await h.reconciler.runOnce();
      updates = (await messages()).filter((m) => m.topic === 'referral-progress');
      expect(updates.map((u) => u.lines.find((l) => l.startsWith('Referred on to')))).to.have.members([
        'Referred on to Buggy walks (Fernbridge Leisure Trust): attended',
        'Referred on to Buggy walks (Fernbridge Leisure Trust): attended and finished, 6 sessions attended',
      ]);
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status, 'the referral stays completed').to.equal('completed');
    });

    it('a withdrawal at the link-worker endpoint reaches the group’s copy; an answer the group sends after that changes nothing', async () => {
      const sr = await plainReferral(h, 'p2');
      const parent = await create<Task>(h.lwBase, taskFor(h, sr, 1, { status: 'in-progress' }));
      const sub = await create<Task>(h.lwBase, onward(parent, 'svc-nordic', 'Nordic walking'));
      await h.reconciler.runOnce();
      const [copy] = await copiesOf(sub);
      expect(copy?.status).to.equal('requested');
      await update<ServiceRequest>(h.ehrBase, { ...(await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)), status: 'revoked' });
      await h.reconciler.runOnce();
      await h.reconciler.runOnce();
      expect((await read<Task>(h.lwBase, 'Task', sub.id)).status).to.equal('cancelled');
      const theirs = await read<Task>(groupBase, 'Task', copy!.id!);
      expect(theirs.status, 'the group stops contacting the person').to.equal('cancelled');
      await update<Task>(groupBase, { ...theirs, status: 'in-progress' });
      await h.reconciler.runOnce();
      expect((await read<Task>(h.lwBase, 'Task', sub.id)).status).to.equal('cancelled');
    });

    it('the link worker’s withdrawal reaches the group’s copy with its reason; the GP’s message back says so; the group’s later answer changes nothing', async () => {
      const sr = await plainReferral(h, 'p2');
      const parent = await create<Task>(h.lwBase, taskFor(h, sr, 1, { status: 'in-progress' }));
      const sub = await create<Task>(h.lwBase, onward(parent, 'svc-choir', 'Community choir'));
      await h.reconciler.runOnce();
      const [copy] = await copiesOf(sub);
      await update<Task>(groupBase, { ...copy!, id: copy!.id!, status: 'accepted' });
      await h.reconciler.runOnce();
      // As the workspace writes it (POST /cases/:id/onward/:onwardId/withdraw): cancelled with the link worker's reason, If-Match.
      const accepted = await read<Task>(h.lwBase, 'Task', sub.id);
      expect(accepted.status).to.equal('accepted');
      const w = withdrawByLinkWorker(accepted, { reason: 'patient-withdrew', note: 'Changed her mind about singing.' }, { now: new Date(), author: { reference: 'Practitioner/lw1', display: 'Sarah Whitfield' } });
      if (!w.ok) throw new Error(w.message);
      await update<Task>(h.lwBase, { ...w.task, id: sub.id });
      await h.reconciler.runOnce();

      const theirs = await read<Task>(groupBase, 'Task', copy!.id!);
      expect(theirs.status, 'the group stops contacting the person').to.equal('cancelled');
      expect(theirs.statusReason?.coding?.find((c) => c.system === CODE_SYSTEM.statusReason)?.code).to.equal('patient-withdrew');
      expect(theirs.statusReason?.text).to.equal('Changed her mind about singing.');
      await update<Task>(groupBase, { ...theirs, status: 'in-progress' });
      await h.reconciler.runOnce();
      expect((await read<Task>(h.lwBase, 'Task', sub.id)).status).to.equal('cancelled');

      await update<Task>(h.lwBase, { ...(await read<Task>(h.lwBase, 'Task', parent.id)), status: 'completed', output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'summary' }] }, valueString: 'Support ended.' }] });
      for (let i = 0; i < 2; i++) await h.reconciler.runOnce();
      const messages = (await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`)).map((c) => ({ topic: c.topic?.coding?.[0]?.code, lines: (c.payload ?? []).flatMap((p) => (p.contentString ? [p.contentString] : [])) }));
      expect(messages.find((m) => m.topic === 'referral-completed')?.lines).to.include('Referred on to Community choir (Fernbridge Leisure Trust): withdrawn (Person withdrew from support: Changed her mind about singing.)');
      expect(messages.filter((m) => m.topic === 'referral-progress'), 'a withdrawal is no news for the GP after the message back').to.deep.equal([]);
      expect((await listDeadLetters(h.db, { limit: 100 })).map((d) => d.reason)).to.deep.equal([]);
    });
  });
}
