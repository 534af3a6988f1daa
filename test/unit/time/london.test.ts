import { expect } from 'chai';
import { daysBetweenDates, formatLondonDate, formatLondonDateTime, londonDate, londonDaysAgo, relativeDays } from '../../../src/time/london.js';

describe('Europe/London calendar days', () => {
  it('the date of an instant is the date on a clock in England (BST shifts the day after 23:00 UTC)', () => {
    expect(londonDate(new Date('2026-06-30T23:30:00Z'))).to.equal('2026-07-01');
    expect(londonDate(new Date('2026-12-01T23:30:00Z'))).to.equal('2026-12-01');
    expect(londonDate(new Date('2026-03-29T00:30:00Z'))).to.equal('2026-03-29');
  });

  it('counts calendar days, not elapsed 24-hour periods: yesterday afternoon is "yesterday" this morning', () => {
    const now = new Date('2026-12-01T09:00:00Z');
    expect(londonDaysAgo('2026-11-30T16:00:00Z', now)).to.equal(1);
    expect(londonDaysAgo('2026-12-01T00:10:00Z', now)).to.equal(0);
    expect(londonDaysAgo('2026-11-28', now)).to.equal(3);
    // 23:30 UTC on 30 June is already 1 July in England.
    expect(londonDaysAgo('2026-06-30T23:30:00Z', new Date('2026-07-01T22:00:00Z'))).to.equal(0);
    expect(londonDaysAgo('not a date', now)).to.equal(undefined);
  });

  it('whole days between calendar dates across the clock change', () => {
    expect(daysBetweenDates('2026-03-28', '2026-03-30')).to.equal(2);
    expect(daysBetweenDates('2026-10-24', '2026-10-26')).to.equal(2);
    expect(daysBetweenDates('2026-12-02', '2026-12-01')).to.equal(-1);
  });

  it('formats dates and times as in England', () => {
    expect(formatLondonDate('2026-06-30T23:30:00Z')).to.equal('1 Jul 2026');
    expect(formatLondonDate('2026-12-01')).to.equal('1 Dec 2026');
    expect(formatLondonDate(undefined)).to.equal('');
    expect(formatLondonDateTime('2026-06-30T23:30:00Z')).to.equal('1 Jul 2026, 00:30');
    expect(relativeDays(0)).to.equal('today');
    expect(relativeDays(1)).to.equal('yesterday');
    expect(relativeDays(4)).to.equal('4 days ago');
  });
});
