import { expect } from 'chai';
import { runCli } from '../../helpers/cli.js';
import type { Patient } from '@medplum/fhirtypes';
import { gpDemandFailed, queueGpDemand } from '../../../src/reports/gp-demand-store.js';
import { referralKey, type ReferralFact } from '../../../src/reports/referral-fact.js';
import { saveFacts } from '../../../src/reports/report-store.js';
import { patientResources } from '../../../src/sandbox/demo/patients.js';
import { londonDate } from '../../../src/time/london.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/** What the sweep writes when the EHR refuses SP Link (src/reconcile/gp-demand-sweep.ts): given up at once. */
const REFUSED = 'HTTP 403 from GET Patient — grant SP Link\'s backend client at the EHR system/Patient.rs and system/Encounter.rs (tenants[].ehr.auth.scope) and check with `sp-link doctor`';

/**
 * An operator puts GP demand rows the sweep gave up on back in the queue once the cause is fixed: `sp-link gp-demand`
 * as a real process against the running instance (its admin API), the sweep run at once against the sandbox EHR, and
 * each requeue in the audit trail.
 */
describe('reports: requeueing GP demand the sweep gave up on (sp-link gp-demand against the running instance)', function () {
  // Boots the whole system and spawns the CLI a few times: minutes on a loaded machine.
  this.timeout(300_000);
  let sys: TestSystem;
  const patient = patientResources().find((r): r is Patient & { id: string } => r.resourceType === 'Patient')!;
  // Referred 7 months ago: its 6 months after have passed, so it is due as soon as it is queued again.
  const day = londonDate(new Date(Date.now() - 213 * 86_400_000));
  const here = referralKey('requeue-test', 't-here');
  const gone = referralKey('requeue-test', 't-gone');

  const fact = (key: string): ReferralFact => ({
    key, practice: 'Y99901', practiceName: 'Riverside Medical Practice', pcn: 'Fernbridge Central PCN', service: 'demo-link-workers', serviceName: 'Fernbridge Community Connect',
    source: 'gp-practice', urgency: 'routine', needs: ['loneliness'], referredAt: `${day}T10:00:00Z`, status: 'completed', reach: 'completed', sessions: 3,
    servicesConnected: [], equality: { sex: 'female' }, outcomes: [], socialOutcomes: [],
  });

  before(async () => {
    sys = await startTestSystem({ background: false });
    await saveFacts(sys.db, [fact(here), fact(gone)]);
    // One at the demo practice, whose EHR refused SP Link until its scope was granted; one at a practice since removed.
    await queueGpDemand(sys.db, [
      { referralKey: here, tenantId: 'demo-practice', patientId: patient.id, referralDay: day },
      { referralKey: gone, tenantId: 'closed-practice', patientId: 'pat-elsewhere', referralDay: day },
    ]);
    await gpDemandFailed(sys.db, here, REFUSED, { giveUp: true });
    await gpDemandFailed(sys.db, gone, 'no EHR is configured for tenant "closed-practice" any more', { giveUp: true });
  });
  after(async () => sys?.stop());

  /** `sp-link gp-demand …` as a process, with the configuration the instance was started with: its port and admin token. */
  const sp = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['gp-demand', ...args], { PORT: new URL(sys.url).port, ...env });
  const queued = async () => (await sys.db.query<{ referral_key: string; failed: boolean; attempts: number }>(
    'SELECT referral_key, failed_at IS NOT NULL AS failed, attempts FROM gp_demand_queue ORDER BY referral_key')).rows;

  it('lists what the sweep gave up on, with each cause and no record id', async () => {
    const all = await sp(['failed']);
    expect(all.stderr).to.equal('');
    expect(all.code).to.equal(0);
    expect(all.stdout).to.contain(`${here} demo-practice attempts=1`).and.contain('system/Encounter.rs');
    expect(all.stdout).to.contain(`${gone} closed-practice attempts=1`);
    // Where the person's GP record is stays in the store: the operator acts on the cause, not on the person.
    expect(all.stdout).not.to.contain(patient.id);
    expect(all.stdout).not.to.contain('pat-elsewhere');
    const one = await sp(['failed', '--tenant', 'demo-practice', '--json']);
    expect((JSON.parse(one.stdout) as { referralKey: string }[]).map((r) => r.referralKey)).to.deep.equal([here]);
  });

  it('refuses to requeue without a key or --all (usage, exit 2), and names a key that was not given up on (exit 1)', async () => {
    const none = await sp(['requeue']);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.contain('requeue --all');
    const both = await sp(['requeue', here, '--all']);
    expect(both.code).to.equal(2);
    const unknown = await sp(['requeue', 'no-such-key']);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.contain('ERR_GP_DEMAND_NOT_FAILED');
    expect((await queued()).every((r) => r.failed)).to.equal(true);
  });

  it('requeues one tenant’s rows once the cause is fixed, counts them at once with --sweep, and audits it', async () => {
    const res = await sp(['requeue', '--all', '--tenant', 'demo-practice', '--sweep']);
    expect(res.stderr).to.equal('');
    expect(res.code).to.equal(0);
    expect(JSON.parse(res.stdout)).to.deep.equal({ requeued: 1, keys: [here], sweep: { counted: 1, missing: 0, retried: 0, failed: 0 } });
    // Counted from the sandbox EHR's Encounters, the queue row (and the Patient id it held) dropped with it.
    const counted = (await sys.db.query<{ status: string; before_count: number; after_count: number }>('SELECT status, before_count, after_count FROM report_gp_demand WHERE referral_key = $1', [here])).rows;
    expect(counted).to.have.length(1);
    expect(counted[0]!.status).to.equal('counted');
    expect(Number.isInteger(counted[0]!.before_count) && Number.isInteger(counted[0]!.after_count)).to.equal(true);
    // The other tenant's row is left as it was: its cause is not fixed.
    expect(await queued()).to.deep.equal([{ referral_key: gone, failed: true, attempts: 1 }]);
    const audit = (await sys.db.query<{ actor: string; tenant_id: string | null; details: Record<string, unknown> }>(
      `SELECT actor, tenant_id, details FROM audit_events WHERE action = 'gp-demand.requeue' ORDER BY id`)).rows;
    expect(audit).to.deep.equal([{ actor: 'token:admin', tenant_id: 'demo-practice', details: { requeued: 1, all: true, sweep: { counted: 1, missing: 0, retried: 0, failed: 0 } } }]);
  });

  it('requeues one row by key: due again with its attempts reset; a sweep whose cause is not fixed retries it with backoff', async () => {
    const res = await sp(['requeue', gone]);
    expect(res.code).to.equal(0);
    expect(JSON.parse(res.stdout)).to.deep.equal({ requeued: 1, keys: [gone] });
    expect(await queued()).to.deep.equal([{ referral_key: gone, failed: false, attempts: 0 }]);
    // Given up on once more, then requeued and swept at once: its tenant is still gone, so it is tried and backs off
    // (given up on again only when its attempts run out); the sweep's figures say it was not counted.
    await gpDemandFailed(sys.db, gone, 'no EHR is configured for tenant "closed-practice" any more', { giveUp: true });
    const swept = await sp(['requeue', gone, '--sweep']);
    expect(swept.code).to.equal(0);
    expect(JSON.parse(swept.stdout)).to.deep.equal({ requeued: 1, keys: [gone], sweep: { counted: 0, missing: 0, retried: 1, failed: 0 } });
    expect(await queued()).to.deep.equal([{ referral_key: gone, failed: false, attempts: 1 }]);
    const audit = (await sys.db.query<{ details: Record<string, unknown> }>(`SELECT details FROM audit_events WHERE action = 'gp-demand.requeue' ORDER BY id`)).rows;
    expect(audit.slice(1).map((a) => a.details)).to.deep.equal([{ requeued: 1, key: gone }, { requeued: 1, key: gone, sweep: { counted: 0, missing: 0, retried: 1, failed: 0 } }]);
  });

  it('needs the instance’s admin token (exit 77) and says so', async () => {
    const res = await sp(['failed'], { SP_LINK_ADMIN_TOKEN: 'not-the-instance-token' });
    expect(res.code).to.equal(77);
    expect(res.stderr).to.contain('refused the admin token');
    const api = await fetch(`${sys.url}/admin/api/gp-demand/requeue?all=true`, { method: 'POST' });
    expect(api.status).to.equal(401);
  });
});
