import { expect } from 'chai';
import { buildCard, needFromAppContext, summaryOf, SUMMARY_MAX } from '../../../src/cds/card.js';
import { practiceRules } from '../../../src/cds/settings.js';
import { DEFAULT_PROMPT_RULES } from '../../../src/cds/rules.js';

describe('CDS card and practice settings', () => {
  it('says why in one sentence under 140 characters, naming further needs by count', () => {
    const needs = [
      { need: 'housing' as const, label: 'Housing unsatisfactory', recorded: '2026-11-02' },
      { need: 'debt-money' as const, label: 'Financial problem' },
      { need: 'debt-money' as const, label: 'In debt' },
    ];
    expect(summaryOf({ rule: 'social-need', needs })).to.equal('Housing unsatisfactory (2 Nov 2026) and 1 more need on the record, no social prescribing referral: consider one.');
    const long = summaryOf({ rule: 'social-need', needs: [{ need: 'other', label: 'x'.repeat(300) }] });
    expect(long.length).to.equal(SUMMARY_MAX);
    expect(summaryOf({ rule: 'follow-up-due', completedOn: '2026-08-30' })).to.equal('Social prescribing completed 30 Aug 2026: a follow-up is due.');
  });

  it('has no local-services link when the practice has none, and no need in appContext for a frequent attender', () => {
    const card = buildCard({ rule: 'frequent-attender', encounters: 12, months: 12 }, { uuid: 'u1', launchUrl: 'https://sp-link.example/launch' });
    expect(card.links.map((l) => l.type)).to.deep.equal(['smart']);
    expect(JSON.parse(card.links[0]!.appContext!)).to.deep.equal({ cdsCard: 'u1' });
    expect(card.source).to.not.have.property('url');
  });

  it('reads only a known need from appContext', () => {
    expect(needFromAppContext('{"need":"loneliness"}')).to.equal('loneliness');
    expect(needFromAppContext('{"need":"<script>"}')).to.equal(undefined);
    expect(needFromAppContext('not json')).to.equal(undefined);
    expect(needFromAppContext(undefined)).to.equal(undefined);
  });

  it('layers the deployment’s rules and the practice’s over the defaults, key by key', () => {
    const r = practiceRules({ frequentAttender: { encounters: 12 }, followUp: { enabled: false } }, { frequentAttender: { months: 6 }, extraNeedCodes: [{ system: 'urn:local', code: 'CARER', need: 'carer-strain' }] });
    expect(r.prompt.frequentAttender).to.deep.equal({ enabled: true, encounters: 12, months: 6 });
    expect(r.prompt.followUp).to.deep.equal({ ...DEFAULT_PROMPT_RULES.followUp, enabled: false });
    expect(r.needCodes.get('urn:local|CARER')).to.equal('carer-strain');
    expect(r.needCodes.get('http://snomed.info/sct|267076002')).to.equal('loneliness');
  });
});
