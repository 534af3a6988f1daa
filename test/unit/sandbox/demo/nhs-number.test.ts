import { expect } from 'chai';
import { nhsNumberCheckDigit, nhsNumberIsValid, normaliseNhsNumber } from '../../../../src/fhir/nhs-number.js';
import { formatNhsNumber, testNhsNumbers } from '../../../../src/sandbox/demo/nhs-number.js';

describe('NHS number Modulus 11', () => {
  it('accepts published valid examples', () => {
    // NHS Data Dictionary worked example and the common test number.
    expect(nhsNumberIsValid('9434765919')).to.equal(true);
    expect(nhsNumberIsValid('9000000009')).to.equal(true);
    expect(nhsNumberIsValid('943 476 5919')).to.equal(true);
    expect(nhsNumberIsValid('943-476-5919')).to.equal(true);
  });

  it('rejects a wrong check digit, wrong length and non-digits', () => {
    expect(nhsNumberIsValid('9434765918')).to.equal(false);
    expect(nhsNumberIsValid('943476591')).to.equal(false);
    expect(nhsNumberIsValid('94347659190')).to.equal(false);
    expect(nhsNumberIsValid('94347A5919')).to.equal(false);
    expect(nhsNumberIsValid('')).to.equal(false);
  });

  it('computes 0 when the remainder is 0 and refuses numbers whose check digit would be 10', () => {
    // 0000000000: sum 0 → 11 - 0 = 11 → check digit 0.
    expect(nhsNumberCheckDigit('000000000')).to.equal(0);
    expect(nhsNumberIsValid('0000000000')).to.equal(true);
    // 100000000: sum 10 → 11 - 10 = 1; 000000001: sum 2 → 9.
    expect(nhsNumberCheckDigit('100000000')).to.equal(1);
    expect(nhsNumberCheckDigit('000000001')).to.equal(9);
    // 000000005: sum 10 → 1; 000000006: sum 12 → remainder 1 → 10 → never issued.
    expect(nhsNumberCheckDigit('000000006')).to.equal(undefined);
    for (let d = 0; d <= 9; d++) expect(nhsNumberIsValid(`000000006${d}`)).to.equal(false);
    expect(nhsNumberCheckDigit('12345678')).to.equal(undefined);
  });

  it('normalises spaces and hyphens', () => {
    expect(normaliseNhsNumber(' 999 000 1001 ')).to.equal('9990001001');
  });

  it('generates valid, unique, deterministic numbers from the 999 test range', () => {
    const numbers = testNhsNumbers(500);
    expect(numbers).to.have.length(500);
    expect(new Set(numbers).size).to.equal(500);
    for (const n of numbers) {
      expect(n).to.match(/^999\d{7}$/);
      expect(nhsNumberIsValid(n), n).to.equal(true);
    }
    expect(testNhsNumbers(500)).to.deep.equal(numbers);
    expect(testNhsNumbers(3, 1001)).to.not.deep.equal(testNhsNumbers(3, 1));
  });

  it('formats as 3-3-4', () => {
    expect(formatNhsNumber('9434765919')).to.equal('943 476 5919');
  });
});
