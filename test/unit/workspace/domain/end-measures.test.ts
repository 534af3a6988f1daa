import { expect } from 'chai';
import type { Observation } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../../../src/referral-model/codes.js';
import { endMeasureGap } from '../../../../src/workspace/domain/end-measures.js';
import { completeConfirmPage } from '../../../../src/workspace/views/complete-confirm.js';
import { amira } from '../fixtures.js';

const obs = (instrument: string, date: string, status: Observation['status'] = 'final'): Observation => ({
  resourceType: 'Observation', status, code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: instrument }] }, effectiveDateTime: date, valueInteger: 20,
});

describe('workspace: completing without end measures', () => {
  it('has no gap when every measure taken at the start was taken again on a later day', () => {
    expect(endMeasureGap([obs('swemwbs', '2026-10-01'), obs('swemwbs', '2026-11-20'), obs('ucla3', '2026-10-01'), obs('ucla3', '2026-11-20T10:00:00Z')])).to.equal(undefined);
  });

  it('names measures taken only at the start, or says none was recorded; in-error and same-day repeats do not count', () => {
    expect(endMeasureGap([])).to.deep.equal({ none: true, startOnly: [] });
    expect(endMeasureGap([obs('swemwbs', '2026-10-01'), obs('swemwbs', '2026-11-20', 'entered-in-error')])).to.deep.equal({ none: false, startOnly: ['Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) total'] });
    expect(endMeasureGap([obs('ucla3', '2026-10-01T09:00:00Z'), obs('ucla3', '2026-10-01T15:00:00Z'), obs('swemwbs', '2026-10-01'), obs('swemwbs', '2026-11-01')])!.startOnly).to.have.length(1);
  });

  it('asks on a page that posts the same summary again with confirm=yes, or goes back to the outcome measures', () => {
    const page = completeConfirmPage({ actor: amira, csrfToken: 'tok', caseId: 'task-1', version: '7', summary: 'Walks "weekly" <now>', gap: { none: true, startOnly: [] } });
    expect(page).to.include('No outcome measure has been recorded for this case.');
    expect(page).to.include('name="confirm" value="yes"').and.include('name="version" value="7"').and.include('name="summary" value="Walks &quot;weekly&quot; &lt;now&gt;"');
    expect(page).to.include('href="/workspace/cases/task-1#outcomes"');
  });

  it('carries the social outcomes ticked through the question, and shows them', () => {
    const page = completeConfirmPage({ actor: amira, csrfToken: 'tok', caseId: 'task-1', version: '7', summary: 'Done', socialOutcomes: ['debt-advice', 'group-attending'], gap: { none: true, startOnly: [] } });
    expect(page).to.include('<input type="hidden" name="socialOutcomes" value="debt-advice">').and.include('<input type="hidden" name="socialOutcomes" value="group-attending">');
    expect(page).to.include('<li>Debt advice received</li>');
    expect(completeConfirmPage({ actor: amira, csrfToken: 'tok', caseId: 'task-1', version: '7', summary: 'Done', gap: { none: true, startOnly: [] } })).to.not.include('socialOutcomes');
  });
});
