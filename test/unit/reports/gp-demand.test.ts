import { expect } from 'chai';
import type { Encounter } from '@medplum/fhirtypes';
import { countGpDemand, gpDemandDueOn, gpDemandWindows, isGpAppointment } from '../../../src/reports/gp-demand.js';
import { addMonths } from '../../../src/time/london.js';

const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const enc = (start: string | undefined, code: string | undefined = 'AMB', status: Encounter['status'] = 'finished'): Encounter => ({
  resourceType: 'Encounter', status, class: code ? { system: ACT, code } : (undefined as unknown as Encounter['class']),
  ...(start ? { period: { start } } : {}),
});

describe('reports/gp-demand: GP appointments before and after referral', () => {
  // Referred on 31 March 2026 (British Summer Time began on the 29th): 6 months before starts on 30 September 2025
  // (September has no 31st), 6 months after ends on 30 September 2026; counted from 1 October 2026.
  const DAY = '2026-03-31';

  it('windows are 6 calendar months either side, the referral day in neither, short months clamped', () => {
    expect(gpDemandWindows(DAY)).to.deep.equal({ before: { from: '2025-09-30', to: '2026-03-30' }, after: { from: '2026-04-01', to: '2026-09-30' } });
    expect(gpDemandDueOn(DAY)).to.equal('2026-10-01');
    expect(gpDemandWindows('2025-08-31').after.to).to.equal('2026-02-28');
    expect(addMonths('2028-08-31', -6)).to.equal('2028-02-29');
  });

  it('counts a hand-worked record: edges in England’s calendar, hospital care, cancelled and planned left out', () => {
    const encounters = [
      enc('2025-09-29T12:00:00Z'), // the day before the before-window: out
      enc('2025-09-30T08:00:00+01:00'), // first day of before: in
      enc('2026-03-30T22:30:00Z'), // 23:30 BST on the 30th, the last day of before: in
      enc('2026-03-30T23:30:00Z'), // 00:30 BST on the 31st, the referral day: neither
      enc('2026-03-31T10:00:00Z', 'VR'), // referral day: neither
      enc('2026-04-01T09:00:00Z', 'HH'), // first day of after: in
      enc('2026-05-01T10:00:00Z', 'EMER'), // A&E: not a GP appointment
      enc('2026-05-02T10:00:00Z', 'IMP'), // admission: not a GP appointment
      enc('2026-05-03T10:00:00Z', 'AMB', 'cancelled'),
      enc('2026-05-04T10:00:00Z', 'AMB', 'planned'),
      enc('2026-09-30T22:59:00Z'), // 23:59 BST on the last day of after: in
      enc('2026-09-30T23:00:00Z'), // midnight BST, 1 October: out
      enc(undefined), // no date: cannot be placed
      enc('2026-06-01', undefined), // no class: not hospital care, counted
    ];
    expect(countGpDemand(DAY, { active: true }, encounters)).to.deep.equal({ kind: 'counted', before: 2, after: 3 });
    expect(countGpDemand(DAY, {}, [])).to.deep.equal({ kind: 'counted', before: 0, after: 0 });
  });

  it('a person who died or left the practice, or whose record is gone, is missing', () => {
    const some = [enc('2026-04-02T10:00:00Z')];
    expect(countGpDemand(DAY, { deceasedBoolean: true }, some)).to.deep.equal({ kind: 'missing', reason: 'died' });
    expect(countGpDemand(DAY, { deceasedDateTime: '2026-08-01' }, some)).to.deep.equal({ kind: 'missing', reason: 'died' });
    expect(countGpDemand(DAY, { deceasedBoolean: false, active: false }, some)).to.deep.equal({ kind: 'missing', reason: 'left-practice' });
    expect(countGpDemand(DAY, undefined, some)).to.deep.equal({ kind: 'missing', reason: 'no-record' });
  });

  it('hospital classes and encounters that did not take place are not appointments', () => {
    for (const c of ['IMP', 'EMER', 'ACUTE', 'NONAC', 'OBSENC', 'PRENC', 'SS']) expect(isGpAppointment(enc('2026-01-01', c)), c).to.equal(false);
    for (const c of ['AMB', 'VR', 'HH']) expect(isGpAppointment(enc('2026-01-01', c)), c).to.equal(true);
    for (const s of ['planned', 'cancelled', 'entered-in-error'] as const) expect(isGpAppointment(enc('2026-01-01', 'AMB', s)), s).to.equal(false);
  });
});
