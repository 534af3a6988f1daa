import { expect } from 'chai';
import { readCase } from '../../../../src/workspace/domain/case-state.js';
import { readReferral } from '../../../../src/workspace/domain/referral-details.js';
import { casePage } from '../../../../src/workspace/views/case-page.js';
import { html } from '../../../../src/workspace/views/html.js';
import { amira, manager, referralTask, TODAY } from '../fixtures.js';
import { buildCommunityTask } from '../../../../src/intake/build-task.js';
import { identityCheck } from '../../../../src/workspace/domain/identity-check.js';
import { caseload } from '../../../../src/workspace/domain/caseload.js';
import { caseloadPage } from '../../../../src/workspace/views/caseload-page.js';

describe('workspace views', () => {
  it('escapes every interpolated value', () => {
    expect(html`<p title="${'"x"'}">${'<script>alert(1)</script>'}</p>`.value).to.equal('<p title="&quot;x&quot;">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('renders FHIR text on the case page as text, never as markup', () => {
    const task = referralTask({ status: 'in-progress', note: [{ time: '2026-11-20', text: 'Session: Telephone, 30 minutes\n<img src=x onerror=alert(1)>' }] });
    const out = casePage({
      actor: amira, csrfToken: 'tok', state: readCase(task), referral: readReferral(task), observations: [], directory: [], staff: [],
      maxContactAttempts: 3, today: TODAY, forms: { session: { values: { notes: '</textarea><script>x()</script>' }, errors: { date: 'Enter the session date' } } },
    });
    expect(out).to.not.include('<img src=x');
    expect(out).to.include('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).to.not.include('<script>x()');
    expect(out).to.include('<title>Error: ');
    expect(out).to.include('href="#session-date"');
  });

  it('a self-referral shows its source, the consent’s scope and the identity evidence; the review link is for managers', () => {
    const task = { ...buildCommunityTask(
      { person: { given: 'Zoë', family: "O'Brien", birthDate: '1980-03-07', postcode: 'FB1 2AB' }, contact: { phone: '07700 900982', methods: ['phone'], leaveMessage: true }, needs: ['loneliness'], consent: { service: true, gp: false }, accessibility: { needs: [] } },
      { referralId: 'SPL-ABCD-EFGH', identifierSystem: 'https://fhir.sp-link.example.org/Id/referral', now: new Date('2026-11-20T10:00:00Z'), owner: { reference: 'Organization/lw-org', display: 'Fernbridge Community Connect' } },
    ), id: 'task-self', meta: { versionId: '1' } };
    const identity = identityCheck({
      referralId: 'SPL-ABCD-EFGH', endpointId: 'lw', source: 'self', submittedAt: '2026-11-20T10:00:00Z', matchOutcome: 'ambiguous', shareWithGp: false, contactHashes: [], taskIdentifier: 'SPL-ABCD-EFGH',
      match: { reason: '2 patients <match>', practices: [{ tenantId: 'p1', decision: { outcome: 'ambiguous', method: 'demographics', reason: 'x', threshold: 88, candidates: [{ patientId: 'pat-a', score: 80, confident: false, fields: [{ field: 'postcode', result: 'different', points: 0 }] }] } }] },
    });
    const render = (actor: typeof amira) => casePage({ actor, csrfToken: 'tok', state: readCase(task), referral: readReferral(task), observations: [], directory: [], staff: [], maxContactAttempts: 3, today: TODAY, forms: {}, identity });
    const out = render(amira);
    expect(out).to.match(/data-testid="referral-source">Self-referral</);
    expect(out).to.contain('did not agree to their GP being told');
    expect(out).to.contain('data-testid="awaiting-review"').and.contain('2 patients &lt;match&gt;').and.contain('data-patient="pat-a"').and.contain('Does not agree');
    expect(out).to.contain('action="/workspace/cases/task-self/signpost"');
    expect(out).to.not.contain('/workspace/identity-reviews/');
    expect(render(manager)).to.contain('href="/workspace/identity-reviews/SPL-ABCD-EFGH"');

    const rows = caseload([task, referralTask()], undefined, { view: 'new' }, new Date('2026-11-21T10:00:00Z'));
    const list = caseloadPage({ actor: amira, csrfToken: 'tok', query: { view: 'new' }, rows, truncated: false });
    expect([...list.matchAll(/data-testid="source">([^<]+)</g)].map((m) => m[1]).sort()).to.deep.equal(['GP', 'Self-referral']);
  });

  it('a completed case with a follow-up due offers the outcome measures again and says why; without one it is closed', () => {
    const task = referralTask({ status: 'completed' });
    const page = (followUp?: { months: number; dueOn: string; doneOn?: string }) => casePage({
      actor: amira, csrfToken: 'tok', state: readCase(task), referral: readReferral(task), observations: [], directory: [], staff: [],
      maxContactAttempts: 3, today: TODAY, forms: {}, ...(followUp ? { followUp } : {}),
    });
    const due = page({ months: 3, dueOn: '2026-11-20' });
    expect(due).to.include('data-testid="follow-up-due"').and.include('Follow-up at 3 months due since 20 Nov 2026').and.include('action="/workspace/cases/task-1/outcome"');
    expect(due).to.not.include('action="/workspace/cases/task-1/session"');
    expect(page({ months: 3, dueOn: '2026-11-20', doneOn: TODAY })).to.include('Follow-up at 3 months recorded today');
    const closed = page();
    expect(closed).to.include('This case is closed').and.not.include('action="/workspace/cases/task-1/outcome"');
  });
});
