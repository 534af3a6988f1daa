import { expect } from 'chai';
import type { Patient, ServiceRequest } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION } from '../../../src/referral-model/codes.js';
import { equalityAnswersOf, equalityExtension, equalityToAsk, UK_CORE, type EqualityAnswers } from '../../../src/referral-model/equality.js';
import { buildServiceRequest } from '../../../src/referrals/build-service-request.js';
import { buildReferralTask } from '../../../src/referrals/build-task.js';
import { parseReferralInput } from '../../../src/referrals/referral-input.js';
import { equalityOf } from '../../../src/reports/equality.js';
import { preloadValidation, validateForWrite } from '../../../src/fhir/validate/index.js';
import { referralForm } from '../../helpers/referral-form.js';

const base = referralForm('pat-1');

function validInput(over: Record<string, unknown> = {}) {
  const r = parseReferralInput({ ...base, ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.fields));
  return r.value;
}

const fieldsOf = (equality: unknown) => {
  const r = parseReferralInput({ ...base, equality });
  return r.ok ? {} : Object.fromEntries(r.fields.map((f) => [f.path, f.message]));
};

const ethnicity = (code: string) => ({ url: UK_CORE.ethnicCategoryExtension, valueCodeableConcept: { coding: [{ system: UK_CORE.ethnicCategorySystem, code }] } });
const withEquality = (a: EqualityAnswers): Pick<ServiceRequest, 'extension'> => ({ extension: [equalityExtension(a)!] });
const noImd = () => undefined;

describe('equality monitoring asked by the GP', () => {
  describe('input', () => {
    it('is optional, and each question takes an answer, "prefer not to say" or "not asked"', () => {
      expect(parseReferralInput(base).ok).to.equal(true);
      expect(fieldsOf({})).to.deep.equal({});
      expect(fieldsOf({ ethnicity: 'J', disability: 'no', firstLanguage: 'ur', interpreter: 'yes' })).to.deep.equal({});
      expect(fieldsOf({ ethnicity: 'prefer-not-to-say', disability: 'prefer-not-to-say', firstLanguage: 'prefer-not-to-say', interpreter: 'prefer-not-to-say' })).to.deep.equal({});
      expect(fieldsOf({ ethnicity: 'not-asked', disability: 'not-asked', firstLanguage: 'not-asked', interpreter: 'not-asked' })).to.deep.equal({});
    });

    it('refuses codes outside the lists, the Data Dictionary codes for the answers themselves, and unknown questions', () => {
      expect(fieldsOf({ ethnicity: 'Q' })).to.have.property('equality.ethnicity').that.match(/ethnic group from the list/);
      // Z and 99 are how the answers are recorded, not choices: the form sends the words.
      expect(fieldsOf({ ethnicity: 'Z' })).to.have.property('equality.ethnicity');
      expect(fieldsOf({ ethnicity: '99' })).to.have.property('equality.ethnicity');
      expect(fieldsOf({ disability: true })).to.have.property('equality.disability').that.match(/yes, no, prefer not to say/);
      expect(fieldsOf({ firstLanguage: 'Klingon' })).to.have.property('equality.firstLanguage').that.match(/first language from the list/);
      expect(fieldsOf({ interpreter: 'maybe' })).to.have.property('equality.interpreter');
      expect(fieldsOf({ religion: 'none' })).to.have.property('equality');
      expect(fieldsOf('yes')).to.have.property('equality').that.match(/expected form/);
    });
  });

  describe('which questions are asked', () => {
    it('asks everything of a record that holds nothing, and disability always (UK Core has no place for it)', () => {
      expect(equalityToAsk({ resourceType: 'Patient' })).to.deep.equal(['ethnicity', 'disability', 'firstLanguage', 'interpreter']);
      expect(equalityToAsk(undefined)).to.deep.equal(['ethnicity', 'disability', 'firstLanguage', 'interpreter']);
    });

    it('leaves out what the record holds: ethnic category, NHS communication, or Patient.communication', () => {
      const full: Patient = {
        resourceType: 'Patient',
        extension: [ethnicity('A'), { url: UK_CORE.nhsCommunicationExtension, extension: [{ url: 'language', valueCodeableConcept: { coding: [{ code: 'en' }] } }, { url: 'interpreterRequired', valueBoolean: false }] }],
      };
      expect(equalityToAsk(full)).to.deep.equal(['disability']);
      const languageOnly: Patient = { resourceType: 'Patient', communication: [{ language: { coding: [{ code: 'pl' }] } }] };
      expect(equalityToAsk(languageOnly)).to.deep.equal(['ethnicity', 'disability', 'interpreter']);
    });

    it('asks ethnicity again where the record says 99 (not known: never asked), but not where it says Z (declined)', () => {
      expect(equalityToAsk({ resourceType: 'Patient', extension: [ethnicity('99')] })).to.include('ethnicity');
      expect(equalityToAsk({ resourceType: 'Patient', extension: [ethnicity('Z')] })).not.to.include('ethnicity');
    });
  });

  describe('the ServiceRequest extension', () => {
    before(() => preloadValidation());

    it('round-trips every answer, with the Data Dictionary codes Z and 99 for ethnicity', () => {
      const cases: EqualityAnswers[] = [
        { ethnicity: 'N', disability: 'yes', firstLanguage: 'so', interpreter: 'no' },
        { ethnicity: 'prefer-not-to-say', disability: 'prefer-not-to-say', firstLanguage: 'prefer-not-to-say', interpreter: 'prefer-not-to-say' },
        { ethnicity: 'not-asked', disability: 'not-asked', firstLanguage: 'not-asked', interpreter: 'not-asked' },
        { disability: 'no' },
        { firstLanguage: 'mis' },
      ];
      for (const a of cases) expect(equalityAnswersOf(withEquality(a)), JSON.stringify(a)).to.deep.equal(a);
      const codeOf = (a: EqualityAnswers) => equalityExtension(a)!.extension!.find((e) => e.url === 'ethnicCategory')!.valueCoding;
      expect(codeOf({ ethnicity: 'prefer-not-to-say' })).to.deep.equal({ system: UK_CORE.ethnicCategorySystem, code: 'Z', display: 'Not stated' });
      expect(codeOf({ ethnicity: 'not-asked' })).to.deep.equal({ system: UK_CORE.ethnicCategorySystem, code: '99', display: 'Not known' });
      expect(equalityExtension(undefined)).to.equal(undefined);
      expect(equalityExtension({})).to.equal(undefined);
    });

    it('ignores codes from other systems when reading back', () => {
      const sr: Pick<ServiceRequest, 'extension'> = {
        extension: [{ url: EXTENSION.equalityMonitoring, extension: [
          { url: 'ethnicCategory', valueCoding: { system: 'http://example.org/other', code: 'A' } },
          { url: 'disability', valueCoding: { system: CODE_SYSTEM.equalityAnswer, code: 'perhaps' } },
        ] }],
      };
      expect(equalityAnswersOf(sr)).to.deep.equal({});
      expect(equalityAnswersOf(undefined)).to.deep.equal({});
    });

    it('goes on the GP record ServiceRequest, which validates against SPLinkReferral; the link-worker Task copy leaves it out', () => {
      const input = validInput({ equality: { ethnicity: 'prefer-not-to-say', disability: 'no', firstLanguage: 'pl', interpreter: 'yes' } });
      const ctx = {
        referralId: 'SPL-ABCD-1234', identifierSystem: 'https://fhir.sp-link.example.org/Id/referral', now: new Date('2026-11-24T10:00:00Z'),
        ehrBase: 'http://ehr.example/fhir', patient: { id: 'pat-1', nhsNumber: '9990000018' }, requester: { reference: 'Practitioner/gp-1', display: 'Dr Jo Bloggs' },
        service: { kind: 'link-worker-decides' as const, serviceType: 'link-worker' as const, performer: { reference: 'http://lw.example/fhir/Organization/lw-org' }, owner: { reference: 'Organization/lw-org' } },
      };
      const sr = buildServiceRequest(input, ctx);
      expect(() => validateForWrite(sr)).not.to.throw();
      expect(equalityAnswersOf(sr)).to.deep.equal(input.equality);
      const task = buildReferralTask(input, ctx, 'http://ehr.example/fhir/ServiceRequest/1');
      expect(() => validateForWrite(task)).not.to.throw();
      const copy = task.contained?.find((r) => r.resourceType === 'ServiceRequest') as ServiceRequest;
      expect(copy.extension?.some((e) => e.url === EXTENSION.equalityMonitoring)).to.equal(false);
      expect(buildServiceRequest(validInput(), ctx).extension?.some((e) => e.url === EXTENSION.equalityMonitoring)).to.equal(false);
    });

    it('is refused by the profile when an answer is not in its value set', () => {
      const sr = buildServiceRequest(validInput(), {
        referralId: 'SPL-ABCD-1234', identifierSystem: 'https://fhir.sp-link.example.org/Id/referral', now: new Date('2026-11-24T10:00:00Z'),
        ehrBase: 'http://ehr.example/fhir', patient: { id: 'pat-1', nhsNumber: '9990000018' }, requester: { reference: 'Practitioner/gp-1' },
        service: { kind: 'link-worker-decides', serviceType: 'link-worker', performer: { reference: 'http://lw.example/fhir/Organization/lw-org' }, owner: { reference: 'Organization/lw-org' } },
      });
      sr.extension!.push({ url: EXTENSION.equalityMonitoring, extension: [{ url: 'disability', valueCoding: { system: CODE_SYSTEM.equalityAnswer, code: 'sometimes' } }] });
      expect(() => validateForWrite(sr)).to.throw(/sometimes/);
    });
  });

  describe('the reports: the GP record first, the answers where it says nothing', () => {
    it('fills ethnicity, disability, first language and interpreter from the answers when the record lacks them', () => {
      const f = equalityOf({ resourceType: 'Patient', gender: 'male' }, '2026-11-01', noImd, equalityAnswersOf(withEquality({ ethnicity: 'H', disability: 'yes', firstLanguage: 'gu', interpreter: 'no' })));
      expect(f).to.deep.equal({ sex: 'male', ethnicity: 'H', disability: 'yes', firstLanguage: 'gu', interpreter: false });
    });

    it('keeps the record where it has the data, field by field', () => {
      const patient: Patient = {
        resourceType: 'Patient',
        extension: [ethnicity('C'), { url: UK_CORE.nhsCommunicationExtension, extension: [{ url: 'language', valueCodeableConcept: { coding: [{ code: 'pl' }] } }, { url: 'interpreterRequired', valueBoolean: true }] }],
      };
      const f = equalityOf(patient, '2026-11-01', noImd, { ethnicity: 'A', disability: 'no', firstLanguage: 'en', interpreter: 'no' });
      expect(f).to.deep.include({ ethnicity: 'C', disability: 'no', firstLanguage: 'pl', interpreter: true });
    });

    it('records "prefer not to say" as Z (not stated) and "not asked" as 99, and lets an answer replace a recorded 99', () => {
      expect(equalityOf(undefined, '2026-11-01', noImd, { ethnicity: 'prefer-not-to-say', disability: 'prefer-not-to-say' })).to.deep.equal({ sex: 'unknown', ethnicity: 'Z', disability: 'prefer-not-to-say' });
      expect(equalityOf(undefined, '2026-11-01', noImd, { ethnicity: 'not-asked', disability: 'not-asked', firstLanguage: 'not-asked', interpreter: 'not-asked' })).to.deep.equal({ sex: 'unknown', ethnicity: '99' });
      expect(equalityOf({ resourceType: 'Patient', extension: [ethnicity('99')] }, '2026-11-01', noImd, { ethnicity: 'M' }).ethnicity).to.equal('M');
      expect(equalityOf({ resourceType: 'Patient', extension: [ethnicity('99')] }, '2026-11-01', noImd).ethnicity).to.equal('99');
      expect(equalityOf({ resourceType: 'Patient', extension: [ethnicity('Z')] }, '2026-11-01', noImd, { ethnicity: 'M' }).ethnicity).to.equal('Z');
    });
  });
});
