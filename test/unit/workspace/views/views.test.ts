import { expect } from 'chai';
import { readCase } from '../../../../src/workspace/domain/case-state.js';
import { readReferral } from '../../../../src/workspace/domain/referral-details.js';
import { casePage } from '../../../../src/workspace/views/case-page.js';
import { html } from '../../../../src/workspace/views/html.js';
import { amira, referralTask, TODAY } from '../fixtures.js';

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
});
