import type { Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { DEFAULT_NEED_CODES, needCodeIndex, readFacts } from '../../../src/cds/facts.js';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM, SNOMED, SOCIAL_NEED_FINDINGS, SYSTEM } from '../../../src/referral-model/codes.js';

const opts = { needCodes: needCodeIndex(DEFAULT_NEED_CODES), observationsSince: '2025-12-01' };
const sct = (code: string, display?: string) => ({ coding: [{ system: SYSTEM.snomed, code, ...(display ? { display } : {}) }] });
const clinical = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] });
const patient = { reference: 'Patient/p1' };

describe('CDS facts from the GP record', () => {
  it('reads an active Condition coded with a verified finding as its SP Link need, with its recorded date', () => {
    const facts = readFacts(
      [{ resourceType: 'Condition', subject: patient, clinicalStatus: clinical('active'), code: sct('267076002', 'Feeling lonely'), recordedDate: '2026-11-20' }],
      opts,
    );
    expect(facts.needs).to.deep.equal([{ need: 'loneliness', label: 'Feeling lonely', recorded: '2026-11-20' }]);
  });

  it('maps every verified finding, and SP Link need codes, to a need', () => {
    for (const f of SOCIAL_NEED_FINDINGS) {
      const [n] = readFacts([{ resourceType: 'Condition', subject: patient, code: sct(f.code) }], opts).needs;
      expect(n?.need, f.code).to.equal(f.need);
    }
    const [carer] = readFacts([{ resourceType: 'Condition', subject: patient, code: { coding: [{ system: CODE_SYSTEM.need, code: 'carer-strain' }] } }], opts).needs;
    expect(carer?.need).to.equal('carer-strain');
  });

  it('leaves out resolved, refuted and abated Conditions, and codes it does not know', () => {
    const rs: Resource[] = [
      { resourceType: 'Condition', subject: patient, clinicalStatus: clinical('resolved'), code: sct('422650009') },
      { resourceType: 'Condition', subject: patient, verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'refuted' }] }, code: sct('422650009') },
      { resourceType: 'Condition', subject: patient, abatementDateTime: '2026-01-01', code: sct('422650009') },
      { resourceType: 'Condition', subject: patient, code: sct('38341003', 'Hypertension') },
    ];
    expect(readFacts(rs, opts).needs).to.deep.equal([]);
  });

  it('reads Observations of a need inside the look-back, but not a screening answer of "no" or an old one', () => {
    const rs: Resource[] = [
      { resourceType: 'Observation', status: 'final', code: sct('733423003', 'Food insecurity'), effectiveDateTime: '2026-10-01T10:00:00Z' },
      { resourceType: 'Observation', status: 'final', code: sct('422650009'), valueBoolean: false, effectiveDateTime: '2026-10-01' },
      { resourceType: 'Observation', status: 'final', code: sct('105531004'), effectiveDateTime: '2024-10-01' },
      { resourceType: 'Observation', status: 'entered-in-error', code: sct('105531004'), effectiveDateTime: '2026-10-01' },
    ];
    expect(readFacts(rs, opts).needs).to.deep.equal([{ need: 'food-insecurity', label: 'Food insecurity', recorded: '2026-10-01' }]);
  });

  it('puts the most recently recorded need first', () => {
    const facts = readFacts(
      [
        { resourceType: 'Condition', subject: patient, code: sct('160932005', 'Financial problem'), recordedDate: '2026-01-01' },
        { resourceType: 'Condition', subject: patient, code: sct('105531004', 'Housing unsatisfactory'), recordedDate: '2026-06-01' },
      ],
      opts,
    );
    expect(facts.needs.map((n) => n.need)).to.deep.equal(['housing', 'debt-money']);
  });

  it('recognises SP Link referrals by category, identifier or profile and reads their state', () => {
    const category = [sct(SNOMED.referralToSocialPrescribing.code)];
    const rs: Resource[] = [
      { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: patient, category, authoredOn: '2026-11-01' },
      { resourceType: 'ServiceRequest', status: 'completed', intent: 'order', subject: patient, identifier: [{ system: IDENTIFIER_SYSTEM.referral, value: 'r1' }], meta: { lastUpdated: '2026-05-01T09:00:00Z' } },
      { resourceType: 'ServiceRequest', status: 'revoked', intent: 'order', subject: patient, category, meta: { lastUpdated: '2026-04-01T09:00:00Z' } },
      { resourceType: 'ServiceRequest', status: 'entered-in-error', intent: 'order', subject: patient, category },
      { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: patient, code: sct('183524004', 'Referral to physiotherapy') },
    ];
    expect(readFacts(rs, opts).referrals).to.deep.equal([
      { state: 'open', since: '2026-11-01' },
      { state: 'completed', since: '2026-05-01' },
      { state: 'ended', since: '2026-04-01' },
    ]);
  });

  it('reads Tasks by phase; a Task status it does not know counts as open', () => {
    const rs = [
      { resourceType: 'Task', status: 'in-progress', intent: 'order' },
      { resourceType: 'Task', status: 'completed', intent: 'order', executionPeriod: { end: '2026-03-03T12:00:00Z' } },
      { resourceType: 'Task', status: 'rejected', intent: 'order', lastModified: '2026-02-02T12:00:00Z' },
      { resourceType: 'Task', status: 'waiting-for-godot', intent: 'order' },
    ] as Resource[];
    expect(readFacts(rs, opts).referrals).to.deep.equal([
      { state: 'open' },
      { state: 'completed', since: '2026-03-03' },
      { state: 'ended', since: '2026-02-02' },
      { state: 'open' },
    ]);
  });

  it('counts encounters that took place, not cancelled or planned ones', () => {
    const rs = [
      { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period: { start: '2026-11-02T09:00:00Z' } },
      { resourceType: 'Encounter', status: 'cancelled', class: { code: 'AMB' }, period: { start: '2026-11-03T09:00:00Z' } },
      { resourceType: 'Encounter', status: 'planned', class: { code: 'AMB' }, period: { start: '2026-12-09T09:00:00Z' } },
    ] as Resource[];
    expect(readFacts(rs, opts).encounterDates).to.deep.equal(['2026-11-02']);
  });
});
