import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { PAGES_PER_PASS } from '../../../src/reconcile/feed/change-feed.js';
import { all, create, ENDPOINT, plainReferral, startHarness, taskFor, type Harness } from './harness.js';

describe('reconcile a backlog in passes of bounded size', function () {
  this.timeout(300_000);
  const TASKS = 2 * PAGES_PER_PASS + 5;
  /** The change feed's Task searches, in order: true when it searched afresh, false when it followed a `next` link. */
  const fresh: boolean[] = [];
  let h: Harness;
  before(async () => {
    h = await startHarness({
      reconcile: { pageSize: 1 },
      before: {
        lw: (req, _res, next) => {
          const q = new URL(req.originalUrl, 'http://x').searchParams;
          if (req.method === 'GET' && req.path === '/Task' && q.get('_sort') === '_lastUpdated') fresh.push(!q.has('_cursor') && !q.has('_offset'));
          next();
        },
      },
    });
  });
  after(async () => h?.close());

  it('searches afresh from the last Task every PAGES_PER_PASS pages, so a run holds a few pages however long the backlog, and applies every Task once', async () => {
    for (let i = 0; i < TASKS; i++) await create<Task>(h.lwBase, taskFor(h, await plainReferral(h), 0, { status: 'on-hold' }));
    const r = await h.reconciler.runOnce();
    expect(r.endpoints[ENDPOINT], JSON.stringify(r)).to.include({ status: 'caught-up', applied: TASKS, deadLettered: 0, failed: 0 });
    let run = 0;
    let longest = 0;
    for (const f of fresh) longest = Math.max(longest, (run = f ? 1 : run + 1));
    expect(longest, 'pages read in one pass').to.be.at.most(PAGES_PER_PASS);
    expect(fresh.filter(Boolean).length, 'fresh searches').to.be.at.least(3);
    expect(await all(h.ehrBase, 'ServiceRequest', 'status=on-hold')).to.have.length(TASKS);
  });
});
