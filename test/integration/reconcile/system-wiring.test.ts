import { expect } from 'chai';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

describe('reconciler wired into the whole system (config/default.yaml, sandbox servers)', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  before(async () => {
    sys = await startTestSystem({ background: false });
  });
  after(async () => sys?.stop());

  it('reconciles the demo link-worker endpoint through its configured identity, without dead letters', async () => {
    const r = await sys.reconciler!.runOnce();
    const run = Object.values(r.endpoints)[0]!;
    const dead = await listDeadLetters(sys.db);
    expect(dead.map((d) => `${d.errorCode}: ${d.reason}`)).to.deep.equal([]);
    expect(run).to.include({ status: 'caught-up', deadLettered: 0 });
  });

  it('serves the webhook (secret checked) and the admin API (Bearer admin.token)', async () => {
    const hook = await fetch(`${sys.url}/reconcile/webhook/${sys.config.linkWorkerEndpoints[0]!.id}`, { method: 'POST', headers: { 'x-sp-link-webhook-secret': 'wrong' } });
    expect(hook.status).to.equal(401);
    expect((await fetch(`${sys.url}/admin/api/dead-letters`)).status).to.equal(401);
    const ok = await fetch(`${sys.url}/admin/api/reconcile/status`, { headers: { authorization: `Bearer ${sys.config.admin.token}` } });
    expect(ok.status).to.equal(200);
    const metrics = await (await fetch(`${sys.url}/metrics`)).text();
    expect(metrics).to.contain('sp_link_reconcile_lag_seconds');
  });
});
