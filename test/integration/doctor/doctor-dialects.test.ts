import { expect } from 'chai';
import type { ServiceRequest, Subscription } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { runDoctor, type DoctorReport } from '../../../src/doctor/index.js';
import { all, create, startHarness, type Harness } from '../reconcile/harness.js';

function find(report: DoctorReport, endpoint: string, check: string) {
  const c = report.checks.find((x) => x.endpoint === endpoint && x.check === check);
  if (!c) throw new Error(`no check "${check}" for ${endpoint}: ${report.checks.map((x) => `${x.endpoint}/${x.check}`).join(', ')}`);
  return c;
}

/**
 * The doctor probes behaviour, not declarations, against a link-worker server that speaks Medplum's dialect:
 * it declares `versioning: versioned` yet honours If-Match, hands out UUID version ids, and keeps Subscriptions
 * `requested` until the client activates them.
 */
describe('sp-link doctor against a server speaking the medplum dialect', function () {
  this.timeout(120_000);
  let h: Harness;
  let report: DoctorReport;
  before(async () => {
    h = await startHarness({ lwDialect: 'medplum', subscriptions: true, ownerOds: 'Y00050', endpoint: { subscriptions: { enabled: true, activationWaitSeconds: 1 } } });
    // A referral SP Link wrote, for the EHR's versioning probes.
    await create<ServiceRequest>(h.ehrBase, {
      resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' },
      identifier: [{ system: IDENTIFIER_SYSTEM.referral, value: 'SPL-DOCTOR-1' }],
    });
    report = await runDoctor(h.config, { timeoutMs: 5000 });
  });
  after(async () => h?.close());

  it('gives no false FAIL: versioning declared "versioned" warns, the If-Match probe passes', () => {
    // Before: "versioned update (Task)" was a FAIL although the server answers 412 to a stale If-Match.
    expect(find(report, 'link-worker:lw', 'versioned update (Task)')).to.deep.include({ status: 'WARN', detail: 'Task.versioning = versioned' });
    expect(find(report, 'link-worker:lw', 'If-Match honoured (412 when stale)').status).to.equal('PASS');
    const failed = report.checks.filter((c) => c.status === 'FAIL');
    // Real problems of the harness only: plain http without sandbox mode, and an EHR with no SMART launch.
    expect(failed.map((c) => `${c.endpoint} ${c.check}`)).to.deep.equal(['ehr:practice https everywhere', 'ehr:practice SMART configuration', 'link-worker:lw https everywhere']);
  });

  it('round-trips opaque version ids and sees the Subscription through to active, then removes it', async () => {
    expect(find(report, 'link-worker:lw', 'version ids round-trip').detail).to.match(/^opaque \(non-integer\) version id [0-9a-f-]{36} reads back$/);
    expect(find(report, 'link-worker:lw', 'Subscription: reaches active')).to.deep.include({ status: 'PASS', detail: 'the server left it requested; SP Link activates it, as it will its own' });
    expect(find(report, 'link-worker:lw', 'Subscription: probe removed').status).to.equal('PASS');
    expect(await all<Subscription>(h.lwBase, 'Subscription')).to.have.length(0);
    expect(find(report, 'ehr:practice', 'If-Match honoured (412 when stale)').status).to.equal('PASS');
    expect(find(report, 'ehr:practice', 'version ids round-trip').detail).to.match(/^version id \d+ reads back$/);
  });
});
