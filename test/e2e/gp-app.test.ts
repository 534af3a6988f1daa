import { expect } from 'chai';
import type { Frame, Page } from 'playwright-core';
import type { Bundle, Observation, Patient, Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, PROFILE } from '../../src/referral-model/codes.js';
import { equalityAnswersOf } from '../../src/referral-model/equality.js';
import { chromiumSuite, expectAxeClean } from '../helpers/browser.js';
import { sandboxFhir } from '../helpers/http.js';
import { ISO_DATE, RAW_ID } from '../helpers/readable-text.js';

const JWT = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;
const CLINICIAN = 'gp-3';
const PATIENT = 'pat-08';

describe('GP app in the sandbox EHR (e2e, Chromium)', function () {
  this.timeout(240_000);
  const suite = chromiumSuite({ gpApp: true });
  let page: Page;
  let app: Frame;
  let referralId: string;
  const bodies: { url: string; text: string }[] = [];

  const { fhir, deliveredTask } = sandboxFhir(() => suite.sys);

  before(async () => {
    page = await suite.page({ viewport: { width: 1280, height: 900 } });
    page.on('response', (res) => {
      void res.text().then(
        (text) => bodies.push({ url: res.url(), text: `${JSON.stringify(res.headers())}\n${text}` }),
        () => undefined,
      );
    });
  });

  it('opens the sandbox EHR, picks a patient and launches SP Link embedded on the patient\'s referrals, showing the right patient', async () => {
    await page.goto(`${suite.sys.url}/sandbox/ehr?clinician=${CLINICIAN}`);
    await page.locator(`[data-testid="open-patient"][data-patient-id="${PATIENT}"]`).click();
    const ehrNhs = (await page.locator('[data-testid="banner-nhs-number"]').innerText()).replace(/\s/g, '');
    await page.locator('[data-testid="launch-embedded"]').click();
    const frameEl = await page.waitForSelector('iframe#sp-link-frame');
    app = (await frameEl.contentFrame())!;
    await app.waitForSelector('[data-testid="referrals"]', { timeout: 60_000 });
    expect(new URL(app.url()).pathname).to.equal('/app/');
    const who = await app.locator('[data-testid="referring-patient"]').innerText();
    expect(who.replace(/\s/g, '')).to.contain(ehrNhs);
    expect(await app.locator('[data-testid="patient-banner"]').count(), 'embedded: the EHR shows the banner').to.equal(0);
    // The referrals first; the form is one click away, at the top of the frame.
    expect(await app.locator('[data-testid="referral-form"]').count()).to.equal(0);
    const button = app.locator('[data-testid="new-referral"]');
    const box = await button.boundingBox();
    expect(box, 'New referral is visible').to.not.equal(null);
    const frameBox = await frameEl.boundingBox();
    // Page coordinates: the frame sits below the EHR's own header and banner.
    expect(box!.y - frameBox!.y, 'New referral is at the top of the frame, no scrolling').to.be.below(200);
    await button.click();
    await app.waitForSelector('[data-testid="referral-form"]');
  });

  it('offers services that are not taking referrals only as unavailable, with the reason', async () => {
    await app.locator('#need-physical-activity').check();
    const full = app.locator('#service-svc-exercise-referral');
    await full.waitFor();
    expect(await full.isDisabled()).to.equal(true);
    expect(await app.locator('#service-svc-exercise-referral-hint').innerText()).to.contain('Not taking new referrals');
    expect(await app.locator('#service-svc-walking').isDisabled()).to.equal(false);
    // The option is faded, but why it cannot be chosen stays readable (contrast).
    await expectAxeClean(page, 'a service not taking referrals, with its reason', '#sp-link-frame');
    await app.locator('#need-physical-activity').uncheck();
  });

  it('submits a referral and sees it listed as sent', async () => {
    await app.locator('#need-loneliness').check();
    // The record holds no ethnic group for this person: the GP asks, and the person prefers not to say.
    await app.locator('[data-testid="equality-questions"] summary').click();
    await app.locator('#equality-ethnicity').selectOption({ label: 'Prefer not to say' });
    expect(await app.locator('#equality-disability-not-asked').isChecked(), 'nothing is answered for the GP').to.equal(true);
    await expectAxeClean(page, 'form with the equality questions open', '#sp-link-frame');
    await app.locator('#need-physical-activity').check();
    await app.locator('#what-matters').fill('Wants to get back to bowls with friends');
    await app.locator('#safeguarding-no').check();
    await app.locator('#consent-given').check();
    await app.locator('[data-testid="send-referral"]').click();
    await app.waitForSelector('[data-testid="confirmation"]');
    referralId = (await app.locator('[data-testid="referral-id"]').innerText()).trim();
    expect(referralId).to.match(/^SPL-/);
    const sent = (await fhir<Bundle<ServiceRequest>>('ehr', `ServiceRequest?subject=Patient/${PATIENT}&_count=200`)).entry?.map((e) => e.resource!).find((r) => r.identifier?.some((i) => i.value === referralId));
    expect(equalityAnswersOf(sent), 'only the answered question is recorded').to.deep.equal({ ethnicity: 'prefer-not-to-say' });
    const card = app.locator(`[data-testid="referral"][data-referral-id="${referralId}"]`);
    await card.waitFor();
    expect(await card.locator('[data-testid="status"]').innerText()).to.equal('Sent');
    expect(await app.locator('[data-testid="group-open"]').locator(`[data-referral-id="${referralId}"]`).count()).to.equal(1);
    await expectAxeClean(page, 'confirmation', '#sp-link-frame');
  });

  it('warns about an open referral for the same need and sends nothing until the GP confirms', async () => {
    const before = (await fhir<Bundle>('ehr', `ServiceRequest?subject=Patient/${PATIENT}&_count=200&_elements=id`)).entry?.length ?? 0;
    await app.locator('[data-testid="new-referral"]').click();
    await app.locator('#need-loneliness').check();
    const warning = app.locator('[data-testid="duplicate-warning"]');
    await warning.waitFor();
    expect(await warning.innerText()).to.contain('Loneliness').and.contain('Sent');
    await app.locator('#safeguarding-no').check();
    await app.locator('#consent-given').check();
    await app.locator('[data-testid="send-referral"]').click();
    await app.waitForSelector('[data-testid="error-summary"]');
    expect(await app.locator('[data-testid="error-summary"]').innerText()).to.contain('already has an open referral for the same need');
    expect(await app.locator('#duplicate-error').count()).to.equal(1);
    const after = (await fhir<Bundle>('ehr', `ServiceRequest?subject=Patient/${PATIENT}&_count=200&_elements=id`)).entry?.length ?? 0;
    expect(after).to.equal(before);
    await expectAxeClean(page, 'form with errors', '#sp-link-frame');
    await app.locator('[data-testid="back-to-referrals"]').click();
    await app.waitForSelector('[data-testid="referrals"]');
  });

  it('shows a field-level message for a missing answer and sends nothing', async () => {
    const before = (await fhir<Bundle>('ehr', `ServiceRequest?subject=Patient/${PATIENT}&_count=200&_elements=id`)).entry?.length ?? 0;
    await app.locator('[data-testid="new-referral"]').click();
    await app.locator('[data-testid="send-referral"]').click();
    await app.waitForSelector('[data-testid="error-summary"]');
    const summary = await app.locator('[data-testid="error-summary"]').innerText();
    expect(summary).to.contain('Select at least one need');
    expect(summary).to.contain('must agree');
    expect(summary).to.contain('safeguarding question');
    expect(await app.locator('#needs-error').count()).to.equal(1);
    const after = (await fhir<Bundle>('ehr', `ServiceRequest?subject=Patient/${PATIENT}&_count=200&_elements=id`)).entry?.length ?? 0;
    expect(after).to.equal(before);
    await app.locator('[data-testid="back-to-referrals"]').click();
    await app.waitForSelector('[data-testid="referrals"]');
  });

  it('updates the status live when the link worker starts work, then shows outcomes when completed', async () => {
    const task: Task = await deliveredTask(referralId);
    const accepted = await fhir<Task>('lw', `Task/${task.id}`, {
      method: 'PUT',
      headers: { 'if-match': `W/"${task.meta?.versionId}"` },
      body: JSON.stringify({ ...task, status: 'in-progress', businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: 'first-contact-made' }] }, lastModified: new Date().toISOString() }),
    });
    const card = app.locator(`[data-testid="referral"][data-referral-id="${referralId}"]`);
    await card.locator('[data-testid="status"]', { hasText: 'Working with patient' }).waitFor({ timeout: 60_000 });

    const obs = (value: number, daysAgo: number): Observation => ({
      resourceType: 'Observation',
      meta: { profile: [PROFILE.outcomeObservation] },
      identifier: [{ system: 'https://lw.example.org/Id/outcome', value: `${referralId}-${daysAgo}` }],
      basedOn: [{ reference: task.focus!.reference! }],
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' }] }],
      code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs', display: 'Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) total' }] },
      subject: task.for as Reference<Patient>,
      effectiveDateTime: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
      valueInteger: value,
    });
    const first = await fhir<Observation>('lw', 'Observation', { method: 'POST', body: JSON.stringify(obs(16, 30)) });
    // The latest score recorded for a day, with no time (as link-worker systems often do).
    const todayInLondon = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    const last = await fhir<Observation>('lw', 'Observation', { method: 'POST', body: JSON.stringify({ ...obs(23, 1), effectiveDateTime: todayInLondon }) });
    await fhir<Task>('lw', `Task/${task.id}`, {
      method: 'PUT',
      headers: { 'if-match': `W/"${accepted.meta?.versionId}"` },
      body: JSON.stringify({
        ...accepted,
        status: 'completed',
        businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: 'support-completed' }] },
        lastModified: new Date().toISOString(),
        output: [first, last].map((o) => ({ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'outcome-measure' }] }, valueReference: { reference: `Observation/${o.id}` } })),
      }),
    });
    await card.locator('[data-testid="status"]', { hasText: 'Completed' }).waitFor({ timeout: 90_000 });
    const chart = card.locator('[data-testid="outcome-chart"]').first();
    await chart.waitFor({ timeout: 90_000 });
    const caption = await chart.locator('figcaption').innerText();
    expect(caption).to.match(/16.*23.*improved/);
    expect(await chart.locator('svg[role="img"] title').count()).to.equal(1);

    // The timeline keeps every status with its time; the date-only score shows its date alone, after the referral.
    await card.locator('summary', { hasText: 'Timeline' }).click();
    const lines = (await card.locator('[data-testid="timeline"] li').allInnerTexts()).map((l) => l.replace(/\s+/g, ' ').trim());
    const index = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(index(/Referral sent/), lines.join(' | ')).to.be.at.least(0);
    expect(index(/, \d{2}:\d{2} Working with patient: First contact made/), lines.join(' | ')).to.be.greaterThan(index(/Referral sent/));
    expect(index(/, \d{2}:\d{2} Completed: Support completed/), lines.join(' | ')).to.be.greaterThan(index(/Working with patient/));
    // The score's own line (the completion message quotes the scores too, and may come first).
    const scoreLine = /^\d{1,2} [A-Z][a-z]+ \d{4} Short Warwick[^|]*: 23$/;
    expect(lines.find((l) => scoreLine.test(l)), lines.join(' | ')).to.not.equal(undefined);
    expect(index(scoreLine)).to.be.greaterThan(index(/Referral sent/));
    await expectAxeClean(page, 'completed referral with outcomes and timeline open', '#sp-link-frame');
  });

  it('shows the message back in full, readable in seconds (headed sections, names, plain dates), as the GP system page shows it', async () => {
    const card = app.locator(`[data-testid="referral"][data-referral-id="${referralId}"]`);
    const message = card.locator('[data-testid="message-back"]', { hasText: 'message back to GP' });
    await message.waitFor({ timeout: 90_000 });
    const text = await message.innerText();
    const headings = (await message.locator('h6').allInnerTexts()).map((h) => h.trim());
    expect(headings).to.deep.equal(['Referral details', 'Support offered and activities connected to', 'Outcome measures (before and after)', 'What happens next']);
    expect(text).to.match(/Referred by .+ on \d{1,2} [A-Z][a-z]+ \d{4}/).and.contain('Urgency: ');
    expect(text).to.match(/Short Warwick-Edinburgh Mental Wellbeing Scale \(SWEMWBS\): 16 → 23 \(up 7, better; scale 7–35, higher is better\)/);
    expect(text).to.contain('What happens next');
    expect(text, 'no resource ids').not.to.match(RAW_ID);
    expect(text, 'no machine dates').not.to.match(ISO_DATE);
    // The timeline names the message rather than repeating it.
    expect((await card.locator('[data-testid="timeline"]').innerText())).not.to.contain('16 → 23');

    // The same rendering in the GP system's record.
    const ehr = await page.context().newPage();
    try {
      await ehr.goto(`${suite.sys.url}/sandbox/ehr?clinician=${CLINICIAN}&patient=${PATIENT}`);
      const inRecord = ehr.locator('[data-testid="messages"] [data-testid="message-back"]', { hasText: '16 → 23' });
      expect(await inRecord.count()).to.equal(1);
      const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
      expect(norm(await inRecord.innerText())).to.equal(norm(text));
      await expectAxeClean(ehr, 'message in the GP system page', '[data-testid="messages"]');
    } finally {
      await ehr.close();
    }
    await expectAxeClean(page, 'completed referral with its message', '#sp-link-frame');
  });

  it('never lets an access or refresh token reach the browser', async () => {
    for (const b of bodies) {
      expect(b.text, b.url).to.not.match(/"(access|refresh|id)_token"/);
      expect(b.text, b.url).to.not.match(JWT);
    }
    const seen = await app.evaluate(() => ({
      html: document.documentElement.outerHTML,
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    for (const [where, text] of Object.entries(seen)) expect(text, where).to.not.match(JWT).and.not.match(/access_token|refresh_token/);
    expect(seen.cookie, 'the session cookie is HttpOnly').to.not.contain('sp_link_gp');
    const cookies = await page.context().cookies(suite.sys.url);
    const session = cookies.find((c) => c.name === 'sp_link_gp');
    expect(session?.httpOnly).to.equal(true);
    expect(session?.sameSite).to.equal('Lax');
  });

  it('is keyboard usable: the form can be completed and sent with the keyboard only', async () => {
    const kb = await suite.page({ viewport: { width: 1024, height: 800 } });
    try {
      await kb.goto(`${suite.sys.url}/sandbox/ehr/launch?clinician=${CLINICIAN}&patient=${PATIENT}`);
      await kb.waitForSelector('[data-testid="new-referral"]', { timeout: 60_000 });
      await kb.locator('[data-testid="new-referral"]').focus();
      await kb.keyboard.press('Enter');
      await kb.waitForSelector('[data-testid="referral-form"]');
      await kb.locator('#need-loneliness').focus();
      await kb.keyboard.press('Space');
      await kb.locator('#safeguarding-no').focus();
      await kb.keyboard.press('Space');
      await kb.locator('#consent-given').focus();
      await kb.keyboard.press('Space');
      await kb.locator('[data-testid="send-referral"]').focus();
      await kb.keyboard.press('Enter');
      await kb.waitForSelector('[data-testid="confirmation"]');
      expect(await kb.evaluate(() => document.activeElement?.getAttribute('data-testid'))).to.equal('confirmation');
    } finally {
      await kb.context().close();
    }
  });

  it('keeps two windows for two patients apart in one browser: each stays on its own patient', async () => {
    const ctx = await suite.browser.newContext();
    try {
      const open = async (patient: string) => {
        const w = await ctx.newPage();
        await w.goto(`${suite.sys.url}/sandbox/ehr/launch?clinician=${CLINICIAN}&patient=${patient}`);
        await w.waitForSelector('[data-testid="referrals"]', { timeout: 60_000 });
        return w;
      };
      const first = await open('pat-01');
      const firstNhs = await first.locator('[data-testid="patient-nhs"]').innerText();
      const second = await open('pat-02');
      expect(await second.locator('[data-testid="patient-nhs"]').innerText()).to.not.equal(firstNhs);
      // The first window, reloaded after the second launch, still works for its own patient.
      await first.reload();
      await first.waitForSelector('[data-testid="referrals"]', { timeout: 60_000 });
      await first.getByText('Loading referrals…').waitFor({ state: 'detached' });
      expect(await first.locator('[data-testid="patient-nhs"]').innerText()).to.equal(firstNhs);
      expect(await first.locator('.nhsuk-warning-callout').count(), 'the referral list loaded without an error').to.equal(0);
    } finally {
      await ctx.close();
    }
  });

  it('has no axe violations and reads at 320 px wide inside the iframe', async () => {
    await expectAxeClean(page, 'GP app in the record', '#sp-link-frame');

    const narrow = await suite.page({ viewport: { width: 320, height: 640 } });
    try {
      await narrow.goto(`${suite.sys.url}/sandbox/ehr/launch?clinician=${CLINICIAN}&patient=${PATIENT}`);
      await narrow.waitForSelector('[data-testid="referral"]', { timeout: 60_000 });
      const check = async (state: string) => {
        const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `no horizontal scrolling at 320 px: ${state}`).to.be.at.most(0);
        await expectAxeClean(narrow, `${state}`);
      };
      await check('referral list');
      await narrow.locator('[data-testid="new-referral"]').click();
      await narrow.waitForSelector('[data-testid="referral-form"]');
      await check('form');
      await narrow.locator('[data-testid="equality-questions"] summary').click();
      await check('form with the equality questions open');
    } finally {
      await narrow.context().close();
    }
  });
});
