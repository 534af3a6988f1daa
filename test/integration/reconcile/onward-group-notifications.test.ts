import { expect } from 'chai';
import type { Subscription, Task } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { buildOnwardReferral } from '../../../src/referral-model/onward-referral.js';
import { all, create, plainReferral, read, startHarness, taskFor, update, type Harness } from './harness.js';

/** A community group whose own FHIR server SP Link watches (endpoint `lw2`) by rest-hook Subscription, configured `via: endpoint`. */
const GROUP = { via: 'endpoint', organization: 'Organization/org-walk', odsCode: 'WALK1', name: 'Fernbridge Leisure Trust', endpoint: 'lw2' } as const;

for (const groupDialect of ['medplum', 'hapi'] as const) {
  describe(`reconcile: a community group's own FHIR server answers by rest-hook notification (its server's dialect ${groupDialect})`, function () {
    this.timeout(300_000);
    let h: Harness;
    let groupBase: string;

    before(async () => {
      h = await startHarness({ lwDialect: 'sp-link', second: { dialect: groupDialect, subscriptions: true }, endpoint: { directReferrals: [GROUP] } });
      groupBase = `${h.base}/lw2/fhir`;
    });
    after(async () => h?.close());

    /** The case's onward referral, forwarded to the group's server by one run; its copy there. */
    async function referOnward(patient: string, i: number, service: { id: string; name: string }): Promise<{ sub: Task & { id: string }; copy: Task & { id: string } }> {
      const sr = await plainReferral(h, patient);
      const parent = await create<Task>(h.lwBase, taskFor(h, sr, i, { status: 'in-progress' }));
      const sub = await create<Task>(h.lwBase, buildOnwardReferral({
        parent, service: { ...service, provider: { reference: GROUP.organization, display: GROUP.name }, providerOds: GROUP.odsCode },
        requester: { reference: 'Practitioner/lw1', display: 'Sarah Whitfield' }, consent: { date: '2026-11-30', recorder: { reference: 'Practitioner/lw1', display: 'Sarah Whitfield' } },
        person: { name: [{ given: ['Jo'], family: 'Bloggs' }], telecom: [{ system: 'phone', value: '07700 900123' }] }, now: new Date(),
      }));
      await h.reconciler.runOnce();
      const [copy] = await all<Task>(groupBase, 'Task', `identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.onwardReferral}|${sub.identifier![0]!.value!}`)}`);
      expect(copy, 'forwarded to the group’s server').to.not.equal(undefined);
      return { sub, copy: copy as Task & { id: string } };
    }

    /** Every rest-hook notification the group's server has to send has been sent, and every run it started has ended. */
    async function settle(): Promise<void> {
      await h.lw2!.idle();
      await h.reconciler.idle();
    }

    it('keeps an active Subscription on the group’s server, activated as that server does', async () => {
      expect(await h.reconciler.ensureSubscriptions()).to.deep.include({ lw2: 'created' });
      // Active once the server has activated it (hapi: shortly after; medplum: when SP Link does, as a client must).
      let subs = await all<Subscription>(groupBase, 'Subscription');
      for (let i = 0; i < 50 && subs.some((x) => x.status !== 'active'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        subs = await all<Subscription>(groupBase, 'Subscription');
      }
      expect(subs.map((x) => [x.status, x.channel?.type])).to.deep.equal([['active', 'rest-hook']]);
      expect(subs[0]!.criteria).to.match(/^Task\b/);
    });

    it('each answer on the group’s server reaches the link worker’s onward referral from its notification, with no poll', async () => {
      const { sub, copy } = await referOnward('p1', 0, { id: 'svc-walking', name: 'Healthy Steps walking group' });
      const theirs = await update<Task>(groupBase, { ...copy, status: 'accepted', lastModified: new Date().toISOString() });
      await settle();
      expect((await read<Task>(h.lwBase, 'Task', sub.id)).status, 'accepted, from the notification alone').to.equal('accepted');
      await update<Task>(groupBase, { ...theirs, status: 'in-progress', note: [{ time: new Date().toISOString(), text: 'Came to the Tuesday walk.' }] });
      await settle();
      const ours = await read<Task>(h.lwBase, 'Task', sub.id);
      expect(ours.status).to.equal('in-progress');
      expect(ours.note?.map((n) => n.text)).to.include('Came to the Tuesday walk.');
    });

    it('an answer whose notification was lost is caught by the next poll', async () => {
      const { sub, copy } = await referOnward('p2', 1, { id: 'svc-nordic', name: 'Nordic walking' });
      h.dropNotifications = 1_000;
      try {
        await update<Task>(groupBase, { ...copy, status: 'accepted', lastModified: new Date().toISOString() });
        await settle();
        expect((await read<Task>(h.lwBase, 'Task', sub.id)).status, 'the notification never reached SP Link').to.equal('requested');
      } finally {
        h.dropNotifications = 0;
      }
      const run = await h.reconciler.runOnce();
      expect(run.endpoints.lw2, JSON.stringify(run.endpoints.lw2)).to.include({ deadLettered: 0, failed: 0 });
      expect((await read<Task>(h.lwBase, 'Task', sub.id)).status, 'caught by polling').to.equal('accepted');
    });
  });
}
