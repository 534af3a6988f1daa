/**
 * Replay: every version of every referral's history delivered twice (shuffled), by a second SP Link
 * instance on the same store, while 32 rest-hook notifications at a time arrive at the first and a third
 * polls the change feed. Counts EHR effects against the keys SP Link writes them under.
 */
import type { Task } from '@medplum/fhirtypes';
import type { RunResult } from '../../src/reconcile/index.js';
import { WEBHOOK_SECRET_HEADER } from '../../src/fhir/subscription-channel.js';
import { listDeadLetters } from '../../src/reconcile/store/dead-letters.js';
import { ENDPOINT, WEBHOOK_SECRET, type Harness } from '../../test/integration/reconcile/harness.js';
import { ehrEffects } from './ehr-effects.js';
import { pool, referralHistory, versionsOf, wrongStatus } from './histories.js';
import { seeded } from '../../src/sandbox/demo/seeded-random.js';
import { shuffled } from './random.js';

export interface ReplayFigures {
  referrals: number;
  versions: number;
  deliveries: number;
  duplicates: number;
  wrongStatus: number;
  deadLetters: number;
}

export async function measureReplay(h: Harness, referrals: number, concurrency = 32): Promise<ReplayFigures> {
  const random = seeded(7);
  const made = [];
  for (let i = 0; i < referrals; i++) made.push(await referralHistory(h, i));
  const versions: Task[] = [];
  for (const r of made) versions.push(...(await versionsOf(h, r.taskId)));
  const twice = shuffled([...versions, ...versions], random);

  const replayer = await h.startReconciler({ instanceId: 'replay-versions' });
  const poller = await h.startReconciler({ instanceId: 'replay-poller' });
  let done = false;
  const apply = async (): Promise<void> => {
    for (let i = 0; i < twice.length; i += 10) {
      const part = twice.slice(i, i + 10);
      let r: RunResult;
      // Another instance holds the endpoint's lease: try again, as an operator's tool would.
      while ((r = await replayer.applyTaskVersions(ENDPOINT, part)).status === 'busy') await new Promise((res) => setTimeout(res, 5));
      if (r.status !== 'caught-up') throw new Error(`replay of versions stopped: ${JSON.stringify(r)}`);
    }
  };
  const notify = () => pool(twice, concurrency, async (t) => {
    const res = await fetch(`${h.base}/reconcile/webhook/${ENDPOINT}`, {
      method: 'POST', headers: { 'content-type': 'application/fhir+json', [WEBHOOK_SECRET_HEADER]: WEBHOOK_SECRET }, body: JSON.stringify(t),
    });
    await res.body?.cancel();
    if (res.status !== 200) throw new Error(`notification refused: ${res.status}`);
  });
  const poll = async () => {
    while (!done) {
      await poller.runOnce();
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const polling = poll();
  try {
    await Promise.all([apply(), notify()]);
  } finally {
    done = true;
    await polling;
  }
  await Promise.all([h.reconciler.idle(), replayer.idle(), poller.idle()]);
  await h.reconciler.runOnce();
  const e = await ehrEffects(h.ehrBase);
  return {
    referrals, versions: versions.length, deliveries: twice.length * 2, duplicates: e.duplicates,
    wrongStatus: wrongStatus(made, e.statusBySr).length, deadLetters: (await listDeadLetters(h.db)).length,
  };
}
