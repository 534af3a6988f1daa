import { expect } from 'chai';
import type { Bundle, Communication, Provenance, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { ESCALATION_HEADING } from '../../../src/referral-model/escalation.js';
import { launch, request, type CookieJar } from '../../helpers/gp-launch.js';
import { referralForm } from '../../helpers/referral-form.js';
import { sandboxFhir } from '../../helpers/http.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { Browser } from '../workspace/harness.js';

const PATIENT = 'pat-09';
const HOUR = 3_600_000;

/**
 * A referral nobody accepts within its response target escalates, once: a note on the Task that the service
 * manager's page lists, and a message to the GP in the record. The sweep runs on a controlled clock.
 */
describe('escalation of referrals not accepted in time (integration, controlled clock)', function () {
  this.timeout(240_000);
  let sys: TestSystem;
  let jar: CookieJar;
  let csrf: string;

  const { fhir } = sandboxFhir(() => sys);
  const overdueMessages = async (serviceRequestId: string) =>
    ((await fhir<Bundle<Communication>>('ehr', `Communication?based-on=ServiceRequest/${serviceRequestId}&_count=50`)).entry ?? [])
      .map((e) => e.resource!)
      .filter((c) => c.topic?.coding?.some((x) => x.system === CODE_SYSTEM.communicationTopic && x.code === 'referral-overdue'));
  async function taskFor(referralId: string): Promise<Task> {
    const end = Date.now() + 60_000;
    for (;;) {
      const t = (await fhir<Bundle<Task>>('lw', `Task?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${referralId}`)}`)).entry?.[0]?.resource;
      if (t) return t;
      if (Date.now() > end) throw new Error(`no Task for ${referralId}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  async function refer(urgency: 'urgent' | 'routine'): Promise<{ referralId: string; serviceRequestId: string; task: Task }> {
    const res = await request(jar, `${sys.url}/app/api/referrals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(referralForm(PATIENT, { urgency })),
    });
    expect(res.status).to.equal(201);
    const made = (await res.json()) as { referralId: string; serviceRequestId: string };
    return { ...made, task: await taskFor(made.referralId) };
  }
  const escalationNotes = (t: Task) => (t.note ?? []).filter((n) => n.text.startsWith(ESCALATION_HEADING));

  before(async () => {
    // The sweep is driven by the test's clock alone.
    sys = await startTestSystem({ edit: (raw) => Object.assign(raw.reconcile, { escalation: { enabled: false } }) });
    ({ jar, csrf } = await launch(sys, { patient: PATIENT, practitioner: 'gp-1' }));
  });
  after(async () => {
    await sys?.stop();
  });

  it('escalates an urgent referral once its 24 h pass, once only: a Task note, the manager’s list and a message to the GP', async () => {
    const urgent = await refer('urgent');
    const routine = await refer('routine');
    const authored = Date.parse(urgent.task.authoredOn!);

    // Within the target: nothing happens.
    await sys.reconciler!.escalate(new Date(authored + 23 * HOUR));
    expect(escalationNotes(await taskFor(urgent.referralId))).to.have.length(0);
    expect(await overdueMessages(urgent.serviceRequestId)).to.have.length(0);

    // Past 24 h: the urgent referral escalates; the routine one (120 h) does not yet.
    const at = new Date(authored + 25 * HOUR);
    await sys.reconciler!.escalate(at);
    const task = await taskFor(urgent.referralId);
    const notes = escalationNotes(task);
    expect(notes).to.have.length(1);
    expect(notes[0]!.text).to.contain('Not accepted within 1 day (the target for an urgent referral)');
    expect(notes[0]!.time).to.equal(at.toISOString());
    expect(task.status).to.equal('requested');
    expect(escalationNotes(await taskFor(routine.referralId))).to.have.length(0);

    const messages = await overdueMessages(urgent.serviceRequestId);
    expect(messages).to.have.length(1);
    expect(messages[0]!.text?.div).to.contain('Not accepted within 1 day');
    expect(messages[0]!.text?.div).to.contain('service manager');
    expect(messages[0]!.recipient?.[0]?.reference).to.equal('Practitioner/gp-1');
    const provs = await fhir<Bundle<Provenance>>('ehr', `Provenance?target=Communication/${messages[0]!.id}`);
    expect(provs.entry ?? []).to.have.length(1);

    // Again, later: still one note and one message.
    await sys.reconciler!.escalate(new Date(authored + 30 * HOUR));
    expect(escalationNotes(await taskFor(urgent.referralId))).to.have.length(1);
    expect(await overdueMessages(urgent.serviceRequestId)).to.have.length(1);

    // The service manager sees it on the manager's page; a link worker has no such page.
    const nina = new Browser(sys.url);
    await nina.signIn('nina.kaur');
    const page = await nina.get('/workspace/capacity');
    expect(page.status).to.equal(200);
    const list = page.text.slice(page.text.indexOf('data-testid="escalated-cases"'));
    expect(list).to.contain(`data-case-id="${task.id}"`);
    expect(list).to.not.contain(`data-case-id="${routine.task.id}"`);

    // Once someone responds, it leaves the manager's list.
    const accepted = { ...task, status: 'accepted', lastModified: new Date().toISOString() };
    await fhir('lw', `Task/${task.id}`, { method: 'PUT', body: JSON.stringify(accepted), headers: { 'if-match': `W/"${task.meta?.versionId}"` } });
    const after = await nina.get('/workspace/capacity');
    expect(after.text).to.not.contain(`data-case-id="${task.id}"`);

    // The routine referral escalates after its 120 h.
    await sys.reconciler!.escalate(new Date(authored + 121 * HOUR));
    expect(escalationNotes(await taskFor(routine.referralId))).to.have.length(1);
    expect(await overdueMessages(routine.serviceRequestId)).to.have.length(1);
  });
});
