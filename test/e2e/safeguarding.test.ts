import { expect } from 'chai';
import type { Frame, Page } from 'playwright-core';
import type { Bundle, Communication, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM, PROFILE } from '../../src/referral-model/codes.js';
import { validateForWrite } from '../../src/fhir/validate/index.js';
import { chromiumSuite, expectAxeClean } from '../helpers/browser.js';
import { embeddedApp, openRecordWithApp } from '../helpers/gp-launch.js';
import { sandboxFhir } from '../helpers/http.js';
import { signInToWorkspace } from '../helpers/workspace-sign-in.js';

const CLINICIAN = 'gp-2';
const PATIENT = 'pat-12';
const CONCERN = 'Says her husband takes her bank card and will not let her see friends.';

/**
 * Safeguarding first (issue 12 item 3): a concern the link worker raises, or the GP flags when referring, is the
 * first thing in the GP app and on the GP record page, with a red tag and raised priority, until a clinician
 * acknowledges it; who and when are then in the GP record.
 */
describe('Safeguarding concerns in the GP app and the GP record (e2e, Chromium)', function () {
  this.timeout(240_000);
  const suite = chromiumSuite({ gpApp: true });
  let page: Page;
  let app: Frame;
  let referralId: string;

  const { fhir } = sandboxFhir(() => suite.sys);
  /** Opens the patient's record with SP Link embedded (a fresh launch each time). */
  const openRecord = async () => {
    app = await openRecordWithApp(page, suite.sys, { clinician: CLINICIAN, patient: PATIENT });
  };
  /** Vertical position of an element inside the frame's own page, so "at the top" does not depend on the EHR chrome. */
  const topInFrame = (selector: string) => app.locator(selector).first().evaluate((el) => el.getBoundingClientRect().top + window.scrollY);

  before(async () => {
    page = await suite.page({ viewport: { width: 1280, height: 900 } });
  });

  it('a referral without a concern shows no safeguarding warning anywhere', async () => {
    await openRecord();
    await app.locator('[data-testid="new-referral"]').click();
    await app.locator('#need-carer-strain').check();
    await app.locator('#safeguarding-no').check();
    await app.locator('#consent-given').check();
    await app.locator('[data-testid="send-referral"]').click();
    await app.waitForSelector('[data-testid="confirmation"]');
    referralId = (await app.locator('[data-testid="referral-id"]').innerText()).trim();
    const card = app.locator(`[data-testid="referral"][data-referral-id="${referralId}"]`);
    await card.waitFor();
    expect(await app.locator('[data-testid="safeguarding-alert"]').count()).to.equal(0);
    expect(await card.locator('[data-testid="safeguarding-tag"]').count()).to.equal(0);
    expect(await page.locator('[data-testid="safeguarding-alert"]').count()).to.equal(0);
  });

  it('a concern the link worker raises goes to the top of the GP record page and of SP Link, with a red tag and raised priority', async () => {
    const key = encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${referralId}`);
    let task: Task | undefined;
    for (let i = 0; i < 120 && !task; i++) {
      task = (await fhir<Bundle<Task>>('lw', `Task?identifier=${key}`)).entry?.[0]?.resource;
      if (!task) await new Promise((r) => setTimeout(r, 500));
    }
    expect(task, 'Task delivered to the link-worker endpoint').to.not.equal(undefined);
    const P = EXTENSION_PART.safeguardingConcern;
    await fhir<Task>('lw', `Task/${task!.id}`, {
      method: 'PUT',
      headers: { 'if-match': `W/"${task!.meta?.versionId}"` },
      body: JSON.stringify({
        ...task,
        status: 'in-progress',
        priority: 'urgent',
        businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: 'first-contact-made' }] },
        extension: [...(task!.extension ?? []), { url: EXTENSION.safeguardingConcern, extension: [{ url: P.flag, valueBoolean: true }, { url: P.detail, valueString: CONCERN }] }],
        lastModified: new Date().toISOString(),
      }),
    });
    // The reconciler writes the concern into the GP record.
    let written = false;
    for (let i = 0; i < 180 && !written; i++) {
      const comms = (await fhir<Bundle<Communication>>('ehr', `Communication?subject=Patient/${PATIENT}&_count=100`)).entry ?? [];
      written = comms.some((e) => e.resource?.topic?.coding?.some((c) => c.code === 'safeguarding-concern'));
      if (!written) await new Promise((r) => setTimeout(r, 500));
    }
    expect(written, 'the reconciler wrote the concern into the GP record').to.equal(true);

    await openRecord();
    // The GP record page: the warning is the first thing after the patient's name, above the patient list and record.
    const ehrAlert = page.locator('[data-testid="safeguarding-alert"]');
    await ehrAlert.waitFor();
    expect(await ehrAlert.innerText()).to.contain(CONCERN).and.contain('Raised by');
    const alertTop = (await ehrAlert.boundingBox())!.y;
    expect(alertTop, 'above the clinician bar').to.be.below((await page.locator('[data-testid="clinician-form"]').boundingBox())!.y);
    expect(alertTop, 'above the patient record').to.be.below((await page.locator('[data-testid="patient-record"]').boundingBox())!.y);
    expect(await page.locator(`tr[data-referral-id] [data-testid="referral-safeguarding"]`).count(), 'red tag on the referral row').to.equal(1);

    // SP Link: the warning card is the top of the app, above the title and "New referral".
    const alert = app.locator('[data-testid="safeguarding-alert"]');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.innerText()).to.contain(CONCERN);
    expect(await topInFrame('[data-testid="safeguarding-alert"]')).to.be.below(await topInFrame('#list-heading'));
    const card = app.locator(`[data-testid="referral"][data-referral-id="${referralId}"]`);
    expect(await card.locator('[data-testid="safeguarding-tag"]').innerText()).to.equal('Safeguarding');
    expect(await card.locator('[data-testid="safeguarding-tag"]').getAttribute('class')).to.contain('nhsuk-tag--red');
    expect(await card.innerText()).to.contain('Urgent').and.contain('Not yet acknowledged');
    expect(await app.locator('[data-testid="group-attention"]').locator(`[data-referral-id="${referralId}"]`).count(), 'in "Needs your attention"').to.equal(1);
    await expectAxeClean(page, 'GP record page with a safeguarding concern', '[data-testid="safeguarding-alert"]');
    await expectAxeClean(page, 'SP Link with a safeguarding concern', '#sp-link-frame');

    // It stays: a new launch (another window, another day) still opens on it.
    await openRecord();
    await app.locator('[data-testid="safeguarding-alert"]').waitFor({ timeout: 60_000 });
  });

  it("lists in the service manager's view in the workspace, first, linking to the case", async () => {
    const ws = await suite.page();
    try {
      await signInToWorkspace(ws, suite.sys.url, 'nina.kaur');
      await ws.waitForURL(/\/workspace\/caseload/);
      await ws.goto(`${suite.sys.url}/workspace/capacity`);
      const list = ws.getByTestId('safeguarding-cases');
      await list.waitFor();
      const row = list.locator('tr[data-source="link-worker"]', { hasText: CONCERN });
      expect(await row.count()).to.equal(1);
      expect((await list.boundingBox())!.y, 'above the capacity table').to.be.below((await ws.getByTestId('capacity').boundingBox())!.y);
      await expectAxeClean(ws, "workspace manager's safeguarding list");
      await row.locator('a').click();
      await ws.waitForSelector('[data-testid="case-title"]');
    } finally {
      await ws.context().close();
    }
  });

  it('stays until a clinician acknowledges it; who and when are recorded in the GP record and shown on the referral', async () => {
    await app.locator('[data-testid="acknowledge-safeguarding"]').click();
    await app.locator('[data-testid="safeguarding-alert"]').waitFor({ state: 'detached', timeout: 60_000 });
    const card = app.locator(`[data-testid="referral"][data-referral-id="${referralId}"]`);
    await card.locator('[data-testid="safeguarding-fact"]', { hasText: 'Acknowledged by' }).waitFor();
    expect(await card.locator('[data-testid="safeguarding-tag"]').count(), 'the red tag stays on the referral').to.equal(1);

    const comms = ((await fhir<Bundle<Communication>>('ehr', `Communication?subject=Patient/${PATIENT}&_count=100`)).entry ?? []).map((e) => e.resource!);
    const concern = comms.find((c) => c.topic?.coding?.some((x) => x.code === 'safeguarding-concern'))!;
    const acks = comms.filter((c) => c.topic?.coding?.some((x) => x.system === CODE_SYSTEM.gpReplyTopic && x.code === 'safeguarding-acknowledged'));
    expect(acks).to.have.length(1);
    const ack = acks[0]!;
    expect(ack.meta?.profile).to.include(PROFILE.safeguardingAcknowledgement);
    expect(ack.sender?.reference).to.equal(`Practitioner/${CLINICIAN}`);
    expect(ack.inResponseTo?.[0]?.reference).to.equal(`Communication/${concern.id}`);
    expect(Date.now() - Date.parse(ack.sent!)).to.be.within(0, 600_000);
    expect(() => validateForWrite(ack), 'valid against SPLinkSafeguardingAcknowledgement').to.not.throw();

    // The GP record page no longer leads with it; SP Link on a new launch neither.
    await openRecord();
    expect(await page.locator('[data-testid="safeguarding-alert"]').count()).to.equal(0);
    expect(await app.locator('[data-testid="safeguarding-alert"]').count()).to.equal(0);
  });

  it('a concern the GP flags when referring is shown the same way until acknowledged', async () => {
    await app.locator('[data-testid="new-referral"]').click();
    await app.locator('#need-mental-wellbeing').check();
    await app.locator('#safeguarding-yes').check();
    await app.locator('#safeguarding-detail').fill('Disclosed thoughts of self-harm last month; crisis plan in place.');
    await app.locator('#consent-given').check();
    await app.locator('[data-testid="send-referral"]').click();
    await app.waitForSelector('[data-testid="confirmation"]');
    const alert = app.locator('[data-testid="safeguarding-alert"]');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.innerText()).to.contain('Flagged at referral').and.contain('crisis plan');
    await page.reload();
    await page.locator('[data-testid="safeguarding-alert"]', { hasText: 'crisis plan' }).waitFor();
    app = await embeddedApp(page);
    await app.locator('[data-testid="acknowledge-safeguarding"]').click();
    await app.locator('[data-testid="safeguarding-alert"]').waitFor({ state: 'detached', timeout: 60_000 });
    await page.goto(`${suite.sys.url}/sandbox/ehr?clinician=${CLINICIAN}&patient=${PATIENT}`);
    expect(await page.locator('[data-testid="safeguarding-alert"]').count()).to.equal(0);
  });
});
