import { expect } from 'chai';
import { parseAction } from '../../../../src/workspace/domain/schemas.js';
import { TODAY } from '../fixtures.js';

describe('workspace action schemas', () => {
  it('requires a decline reason, field by field', () => {
    const r = parseAction('decline', { reason: '' }, TODAY);
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.errors).to.have.property('reason', 'Select a reason for declining');
  });

  it('refuses reasons only the referrer may give', () => {
    expect(parseAction('decline', { reason: 'gp-cancelled' }, TODAY).ok).to.equal(false);
    expect(parseAction('decline', { reason: 'service-at-capacity' }, TODAY).ok).to.equal(true);
  });

  it('refuses session dates in the future and impossible dates', () => {
    const future = parseAction('session', { date: '2026-11-25', mode: 'telephone', durationMinutes: '30' }, TODAY);
    expect(future.ok).to.equal(false);
    if (!future.ok) expect(future.errors.date).to.match(/today or in the past/);
    const bogus = parseAction('session', { date: '2026-02-30', mode: 'telephone', durationMinutes: '30' }, TODAY);
    if (bogus.ok) throw new Error('expected failure');
    expect(bogus.errors.date).to.match(/real date/);
    const good = parseAction('session', { date: TODAY, mode: 'accompanied', durationMinutes: '45', notes: ' went to the walking group ' }, TODAY);
    expect(good).to.deep.equal({ ok: true, value: { date: TODAY, mode: 'accompanied', durationMinutes: 45, notes: 'went to the walking group' } });
  });

  it('reports every bad field of a session at once', () => {
    const r = parseAction('session', { date: '', mode: 'carrier-pigeon', durationMinutes: 'abc' }, TODAY);
    if (r.ok) throw new Error('expected failure');
    expect(Object.keys(r.errors).sort()).to.deep.equal(['date', 'durationMinutes', 'mode']);
  });

  it('validates outcome scores against the instrument ranges', () => {
    const low = parseAction('outcome', { instrument: 'swemwbs', date: TODAY, 'score-total': '6' }, TODAY);
    if (low.ok) throw new Error('expected failure');
    expect(low.errors['score-total']).to.equal('The score must be from 7 to 35');
    const frac = parseAction('outcome', { instrument: 'ucla3', date: TODAY, 'score-total': '4.5' }, TODAY);
    if (frac.ok) throw new Error('expected failure');
    expect(frac.errors['score-total']).to.match(/whole number/);
    const ons = parseAction('outcome', { instrument: 'ons4', date: TODAY, 'score-ons4-life-satisfaction': '11', 'score-ons4-worthwhile': '5', 'score-ons4-happiness': '', 'score-ons4-anxiety': '3' }, TODAY);
    if (ons.ok) throw new Error('expected failure');
    expect(Object.keys(ons.errors).sort()).to.deep.equal(['score-ons4-happiness', 'score-ons4-life-satisfaction']);
    const mycaw = { instrument: 'mycaw', date: TODAY, 'score-mycaw-concern-1': '5', 'score-mycaw-concern-2': '4', 'score-mycaw-wellbeing': '2' };
    const unnamed = parseAction('outcome', { ...mycaw, 'text-mycaw-concern-1': ' ' }, TODAY);
    if (unnamed.ok) throw new Error('expected failure: a MYCaW concern needs its words');
    expect(unnamed.errors).to.deep.equal({ 'text-mycaw-concern-1': 'Enter concern 1, in the person’s words', 'text-mycaw-concern-2': 'Enter concern 2, in the person’s words' });
    const good = parseAction('outcome', { ...mycaw, 'text-mycaw-concern-1': ' Lonely at weekends ', 'text-mycaw-concern-2': 'Money worries' }, TODAY);
    if (!good.ok) throw new Error(JSON.stringify(good.errors));
    expect(good.value.values).to.deep.equal({ 'mycaw-concern-1': 5, 'mycaw-concern-2': 4, 'mycaw-wellbeing': 2 });
    expect(good.value.texts).to.deep.equal({ 'mycaw-concern-1': 'Lonely at weekends', 'mycaw-concern-2': 'Money worries' });
  });

  it('splits plan goals into lines and accepts one or many services', () => {
    const one = parseAction('plan', { whatMatters: 'Getting out more', goals: 'Join a group\n\n Walk weekly ', services: 'hs-1' }, TODAY);
    if (!one.ok) throw new Error(JSON.stringify(one.errors));
    expect(one.value.goals).to.deep.equal(['Join a group', 'Walk weekly']);
    expect(one.value.services).to.deep.equal(['hs-1']);
    const none = parseAction('plan', { whatMatters: '', goals: '' }, TODAY);
    if (none.ok) throw new Error('expected failure');
    expect(Object.keys(none.errors).sort()).to.deep.equal(['goals', 'whatMatters']);
  });

  it('requires a safeguarding detail and a completion summary', () => {
    expect(parseAction('safeguarding', { detail: '   ' }, TODAY).ok).to.equal(false);
    expect(parseAction('complete', {}, TODAY).ok).to.equal(false);
    const one = parseAction('complete', { summary: 'Done', socialOutcomes: 'debt-advice' }, TODAY);
    expect(one.ok && one.value.socialOutcomes).to.deep.equal(['debt-advice']);
    const none = parseAction('complete', { summary: 'Done' }, TODAY);
    expect(none.ok && none.value.socialOutcomes).to.deep.equal([]);
    const unknown = parseAction('complete', { summary: 'Done', socialOutcomes: ['debt-advice', 'won-the-lottery'] }, TODAY);
    expect(unknown.ok ? undefined : unknown.errors.socialOutcomes).to.equal('Select social outcomes from the list');
    expect(parseAction('assign', { linkWorker: 'Organization/x' }, TODAY).ok).to.equal(false);
    expect(parseAction('assign', { linkWorker: 'PractitionerRole/lw-ben-role' }, TODAY).ok).to.equal(true);
  });
});
