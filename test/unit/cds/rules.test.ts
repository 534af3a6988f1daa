import { expect } from 'chai';
import fc from 'fast-check';
import type { CodedNeed, PatientFacts, ReferralFact } from '../../../src/cds/facts.js';
import { decide, DEFAULT_PROMPT_RULES, monthsBefore, preselectedNeed, type PromptRules } from '../../../src/cds/rules.js';
import { NEEDS } from '../../../src/referral-model/codes.js';
import { daysBetweenDates } from '../../../src/time/london.js';

const TODAY = '2026-12-01';
const day = (offset: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) - offset * 86_400_000).toISOString().slice(0, 10);

const needArb: fc.Arbitrary<CodedNeed> = fc.record({
  need: fc.constantFrom(...NEEDS.map((n) => n.code)),
  label: fc.constantFrom('Feeling lonely', 'Housing unsatisfactory', 'Debt'),
  recorded: fc.option(fc.integer({ min: 0, max: 800 }).map(day), { nil: undefined }),
}).map((n) => (n.recorded === undefined ? { need: n.need, label: n.label } : n));

const referralArb: fc.Arbitrary<ReferralFact> = fc
  .record({ state: fc.constantFrom('open', 'completed', 'ended'), since: fc.option(fc.integer({ min: 0, max: 800 }).map(day), { nil: undefined }) })
  .map((r) => (r.since === undefined ? { state: r.state } : { state: r.state, since: r.since }));

const factsArb: fc.Arbitrary<PatientFacts> = fc.record({
  needs: fc.array(needArb, { maxLength: 4 }),
  encounterDates: fc.array(fc.integer({ min: 0, max: 500 }).map(day), { maxLength: 30 }),
  referrals: fc.array(referralArb, { maxLength: 4 }),
});

const rulesArb: fc.Arbitrary<PromptRules> = fc.record({
  socialNeed: fc.boolean(),
  frequentAttender: fc.record({ enabled: fc.boolean(), encounters: fc.integer({ min: 1, max: 30 }), months: fc.integer({ min: 1, max: 24 }) }),
  recentReferralDays: fc.integer({ min: 0, max: 365 }),
  followUp: fc.record({ enabled: fc.boolean(), afterDays: fc.integer({ min: 1, max: 365 }), windowDays: fc.integer({ min: 1, max: 90 }) }),
  observationMonths: fc.integer({ min: 1, max: 24 }),
});

describe('CDS prompt rules', () => {
  it('never prompts while a referral is open, whatever else the record says', () => {
    fc.assert(
      fc.property(factsArb, rulesArb, fc.boolean(), referralArb, (facts, rules, promptedToday, open) => {
        const withOpen = { ...facts, referrals: [...facts.referrals, { ...open, state: 'open' as const }] };
        const d = decide({ facts: withOpen, rules, today: TODAY, promptedToday });
        expect(d).to.deep.equal({ show: false, reason: 'referral-open' });
      }),
    );
  });

  it('shows at most one prompt a day: a second one the same day is suppressed, naming the prompt it held back', () => {
    fc.assert(
      fc.property(factsArb, rulesArb, (facts, rules) => {
        const first = decide({ facts, rules, today: TODAY, promptedToday: false });
        const again = decide({ facts, rules, today: TODAY, promptedToday: true });
        expect(again.show).to.equal(false);
        if (first.show) expect(again).to.deep.equal({ show: false, reason: 'prompted-today', suppressed: first.prompt });
        else expect(again).to.deep.equal(first);
      }),
    );
  });

  it('prompts about a coded need only when the practice wants it, a need is coded and no referral is recent', () => {
    fc.assert(
      fc.property(factsArb, rulesArb, (facts, rules) => {
        const d = decide({ facts, rules, today: TODAY, promptedToday: false });
        if (!d.show || d.prompt.rule !== 'social-need') return;
        expect(rules.socialNeed).to.equal(true);
        expect(d.prompt.needs).to.not.be.empty;
        for (const r of facts.referrals) {
          expect(r.state).to.not.equal('open');
          expect(r.since, 'an undated ended referral counts as recent').to.be.a('string');
          expect(daysBetweenDates(r.since!, TODAY)).to.be.at.least(rules.recentReferralDays);
        }
        expect(preselectedNeed(d.prompt)).to.equal(d.prompt.needs[0]!.need);
      }),
    );
  });

  it('a coded need with no referral at all always prompts when the practice wants need prompts', () => {
    fc.assert(
      fc.property(fc.array(needArb, { minLength: 1, maxLength: 4 }), rulesArb, (needs, rules) => {
        const d = decide({ facts: { needs, encounterDates: [], referrals: [] }, rules: { ...rules, socialNeed: true }, today: TODAY, promptedToday: false });
        expect(d.show && d.prompt.rule).to.equal('social-need');
      }),
    );
  });

  it('says a follow-up is due only inside the window after the latest referral completed', () => {
    fc.assert(
      fc.property(factsArb, rulesArb, (facts, rules) => {
        const d = decide({ facts, rules, today: TODAY, promptedToday: false });
        if (!d.show || d.prompt.rule !== 'follow-up-due') return;
        expect(rules.followUp.enabled).to.equal(true);
        const days = daysBetweenDates(d.prompt.completedOn, TODAY);
        expect(days).to.be.within(rules.followUp.afterDays, rules.followUp.afterDays + rules.followUp.windowDays - 1);
        const latest = [...facts.referrals].sort((a, b) => (b.since ?? '').localeCompare(a.since ?? ''))[0];
        expect(latest).to.deep.include({ state: 'completed', since: d.prompt.completedOn });
      }),
    );
  });

  it('counts a frequent attender only by encounters inside the configured months, at or above the threshold', () => {
    fc.assert(
      fc.property(factsArb, rulesArb, (facts, rules) => {
        const d = decide({ facts, rules, today: TODAY, promptedToday: false });
        if (!d.show || d.prompt.rule !== 'frequent-attender') return;
        const since = monthsBefore(TODAY, rules.frequentAttender.months);
        const counted = facts.encounterDates.filter((x) => x > since && x <= TODAY).length;
        expect(d.prompt.encounters).to.equal(counted);
        expect(counted).to.be.at.least(rules.frequentAttender.encounters);
        expect(facts.needs.length === 0 || !rules.socialNeed, 'a coded need is the better reason').to.equal(true);
      }),
    );
  });

  it('examples with the default rules', () => {
    const rules = DEFAULT_PROMPT_RULES;
    const lonely: CodedNeed = { need: 'loneliness', label: 'Feeling lonely', recorded: day(3) };
    const base = { needs: [lonely], encounterDates: [], referrals: [] };
    expect(decide({ facts: base, rules, today: TODAY, promptedToday: false })).to.deep.equal({ show: true, prompt: { rule: 'social-need', needs: [lonely] } });
    // Completed 30 days ago: recent, no prompt. 100 days ago: follow-up due. 200 days ago: back to the need.
    const completed = (ago: number) => ({ ...base, referrals: [{ state: 'completed' as const, since: day(ago) }] });
    expect(decide({ facts: completed(30), rules, today: TODAY, promptedToday: false })).to.deep.equal({ show: false, reason: 'recent-referral' });
    expect(decide({ facts: completed(100), rules, today: TODAY, promptedToday: false })).to.deep.equal({ show: true, prompt: { rule: 'follow-up-due', completedOn: day(100) } });
    expect(decide({ facts: completed(200), rules, today: TODAY, promptedToday: false })).to.deep.include({ show: true });
    // Ten encounters in twelve months (one just outside does not count).
    const visits = [...Array.from({ length: 9 }, (_, i) => day(i * 30)), day(370)];
    expect(decide({ facts: { needs: [], encounterDates: visits, referrals: [] }, rules, today: TODAY, promptedToday: false })).to.deep.equal({ show: false, reason: 'nothing-to-prompt' });
    const ten = [...visits, day(5)];
    expect(decide({ facts: { needs: [], encounterDates: ten, referrals: [] }, rules, today: TODAY, promptedToday: false })).to.deep.equal({
      show: true, prompt: { rule: 'frequent-attender', encounters: 10, months: 12 },
    });
  });

  it('monthsBefore clamps to the end of a shorter month and crosses years', () => {
    expect(monthsBefore('2026-03-31', 1)).to.equal('2026-02-28');
    expect(monthsBefore('2026-01-15', 12)).to.equal('2025-01-15');
    expect(monthsBefore('2026-01-15', 13)).to.equal('2024-12-15');
  });
});
