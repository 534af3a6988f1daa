import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expect } from 'chai';
import type { Bundle, HealthcareService, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { createSandboxFhirServer, type SandboxFhirServer } from '../../../src/sandbox/fhir/index.js';
import { launch, request, type CookieJar } from '../../helpers/gp-launch.js';
import { referralForm } from '../../helpers/referral-form.js';
import { fhirJson, sandboxFhir } from '../../helpers/http.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { Browser } from '../workspace/harness.js';

const PATIENT = 'pat-07';
const HARBOURSIDE = { org: 'Organization/lw-other-org', ods: 'Y99960', name: 'Harbourside Wellbeing Hub' };
const CALM_WATERS = { org: 'Organization/org-calm-waters', ods: 'Y99972', name: 'Calm Waters Wellbeing' };

/**
 * Every kind of directory service reaches a caseload someone sees (docs/CONFIGURATION.md, "Referral routes"):
 * via the link-worker service (its workspace users), direct to a provider whose staff use the workspace, and
 * direct to a provider with its own FHIR server (which the reconciler watches).
 */
describe('referral routes: every directory service reaches a caseload someone sees (integration)', function () {
  this.timeout(240_000);
  let sys: TestSystem;
  let jar: CookieJar;
  let csrf: string;
  let lwBase: string;
  let calm: SandboxFhirServer;
  let calmHttp: http.Server;
  let calmBase: string;

  const post = (body: unknown) =>
    request(jar, `${sys.url}/app/api/referrals`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
  const { fhir } = sandboxFhir(() => sys);
  /** The provider's own server (no auth). */
  const calmFhir = <T>(path: string, init?: RequestInit) => fhirJson<T>(`${calmBase}/${path}`, init);
  async function taskAt(server: 'lw' | 'calm', referralId: string): Promise<Task> {
    const end = Date.now() + 60_000;
    for (;;) {
      const query = `Task?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${referralId}`)}`;
      const b = server === 'lw' ? await fhir<Bundle<Task>>('lw', query) : await calmFhir<Bundle<Task>>(query);
      const t = b.entry?.[0]?.resource;
      if (t) return t;
      if (Date.now() > end) throw new Error(`no Task for ${referralId} at ${server}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  async function refer(healthcareServiceId: string): Promise<{ referralId: string; serviceRequestId: string; contact: string; route: string }> {
    const res = await post(referralForm(PATIENT, { service: { kind: 'directory', healthcareServiceId } }));
    expect(res.status, await res.clone().text()).to.equal(201);
    return (await res.json()) as { referralId: string; serviceRequestId: string; contact: string; route: string };
  }
  async function caseloadOf(username: string): Promise<string> {
    const b = new Browser(sys.url);
    await b.signIn(username);
    return (await b.get('/workspace/caseload?view=all')).text;
  }

  before(async () => {
    // The provider's own FHIR server (its case system): a separate server, no demo data.
    calmHttp = http.createServer();
    await new Promise<void>((resolve) => calmHttp.listen(0, '127.0.0.1', () => resolve()));
    calmBase = `http://127.0.0.1:${(calmHttp.address() as AddressInfo).port}/fhir`;
    calm = await createSandboxFhirServer({ name: 'lw', baseUrl: calmBase, seed: () => [] });
    const app = express();
    app.use('/fhir', calm.router);
    calmHttp.on('request', app);

    sys = await startTestSystem({
      edit: (raw) => {
        const lw = raw.linkWorkerEndpoints[0]!;
        Object.assign(lw, {
          directReferrals: [
            { via: 'workspace', organization: HARBOURSIDE.org, odsCode: HARBOURSIDE.ods, name: HARBOURSIDE.name },
            { via: 'endpoint', organization: CALM_WATERS.org, odsCode: CALM_WATERS.ods, name: CALM_WATERS.name, endpoint: 'calm-waters' },
          ],
        });
        raw.linkWorkerEndpoints.push(
          // The provider's own server: a second link-worker endpoint, watched by the reconciler like the first.
          { id: 'calm-waters', name: CALM_WATERS.name, fhirBase: calmBase, organizationOdsCode: CALM_WATERS.ods, auth: { type: 'none' }, subscriptions: { enabled: false } } as unknown as Record<string, Record<string, unknown>>,
        );
      },
    });
    lwBase = sys.config.linkWorkerEndpoints[0]!.fhirBase;
    // A service Harbourside runs, listed in the link-worker service's directory.
    const coaching: HealthcareService = {
      resourceType: 'HealthcareService',
      id: 'svc-harbourside-coaching',
      active: true,
      name: 'Harbourside wellbeing coaching',
      providedBy: { reference: HARBOURSIDE.org, display: HARBOURSIDE.name },
      type: [{ coding: [{ system: CODE_SYSTEM.serviceType, code: 'wellbeing-support' }] }],
      category: [{ coding: [{ system: CODE_SYSTEM.need, code: 'mental-wellbeing' }] }],
    };
    await fhir('lw', 'HealthcareService/svc-harbourside-coaching', { method: 'PUT', body: JSON.stringify(coaching) });
    ({ jar, csrf } = await launch(sys, { patient: PATIENT, practitioner: 'gp-1' }));
  });
  after(async () => {
    await sys?.stop();
    calmHttp?.closeAllConnections();
    await new Promise<void>((resolve) => (calmHttp ? calmHttp.close(() => resolve()) : resolve()));
    await calm?.close();
  });

  it('via the link-worker service: the Task is the link-worker organisation’s, the chosen service travels as the GP’s suggestion, and its link workers see it', async () => {
    const made = await refer('svc-housing');
    expect(made).to.include({ contact: 'Fernbridge Community Connect', route: 'link-worker' });
    const sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${made.serviceRequestId}`);
    expect(sr.performer?.[0]).to.include({ display: 'Fernbridge Community Connect' });
    expect(sr.supportingInfo?.[0]).to.deep.include({ reference: `${lwBase}/HealthcareService/svc-housing`, display: 'Housing advice drop-in' });
    const task = await taskAt('lw', made.referralId);
    expect(task.owner?.identifier?.value).to.equal('Y99950');

    const caseload = await caseloadOf('sarah.whitfield');
    expect(caseload).to.include(`data-case-id="${task.id}"`);
    const b = new Browser(sys.url);
    await b.signIn('sarah.whitfield');
    const page = await b.get(`/workspace/cases/${task.id}`);
    expect(page.text).to.match(/Service suggested by the GP<\/dt><dd class="nhsuk-summary-list__value">Housing advice drop-in/);

    const list = (await (await request(jar, `${sys.url}/app/api/referrals?patient=${PATIENT}`)).json()) as { referrals: { referralId?: string; service: string; contact?: string; suggested?: boolean }[] };
    expect(list.referrals.find((r) => r.referralId === made.referralId)).to.include({ service: 'Housing advice drop-in', contact: 'Fernbridge Community Connect', suggested: true });
  });

  it('direct to a provider whose staff use the workspace: the Task is the provider’s, in its caseload and no one else’s', async () => {
    const made = await refer('svc-harbourside-coaching');
    expect(made).to.include({ contact: HARBOURSIDE.name, route: 'direct' });
    const sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${made.serviceRequestId}`);
    expect(sr.performer?.[0]?.reference).to.equal(`${lwBase}/HealthcareService/svc-harbourside-coaching`);
    expect(sr.supportingInfo).to.equal(undefined);
    const task = await taskAt('lw', made.referralId);
    expect(task.owner).to.deep.include({ reference: HARBOURSIDE.org, display: HARBOURSIDE.name });
    expect(task.owner?.identifier?.value).to.equal(HARBOURSIDE.ods);
    expect(await caseloadOf('owen.price')).to.include(`data-case-id="${task.id}"`);
    expect(await caseloadOf('sarah.whitfield')).to.not.include(`data-case-id="${task.id}"`);
  });

  it('direct to a provider with its own FHIR server: the Task is written there, and the reconciler brings its outcome back to the GP record', async () => {
    const made = await refer('svc-wellbeing');
    expect(made).to.include({ contact: CALM_WATERS.name, route: 'direct' });
    const task = await taskAt('calm', made.referralId);
    expect(task.owner?.identifier?.value).to.equal(CALM_WATERS.ods);
    const lwTasks = await fhir<Bundle<Task>>('lw', `Task?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${made.referralId}`)}`);
    expect(lwTasks.entry ?? []).to.have.length(0);

    // The provider completes the case in its own system; the reconciler watching its endpoint completes the referral
    // in the GP record.
    const completed: Task = { ...task, status: 'completed', lastModified: new Date().toISOString() };
    await calmFhir(`Task/${task.id}`, { method: 'PUT', body: JSON.stringify(completed), headers: { 'if-match': `W/"${task.meta?.versionId}"` } });
    const end = Date.now() + 120_000;
    let sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${made.serviceRequestId}`);
    while (sr.status !== 'completed' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 1000));
      sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${made.serviceRequestId}`);
    }
    expect(sr.status).to.equal('completed');
  });
});
