import { expect } from 'chai';
import type { HealthcareService, Location } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART } from '../../../src/referral-model/codes.js';
import { approximatePosition, DirectoryIndex, explain, milesBetween } from '../../../src/directory/search.js';

const now = new Date('2026-11-25T10:30:00Z'); // a Wednesday, 10:30 in London
const opts = { now, staleAfterDays: 365 };
const verified = (daysAgo: number) => ({
  url: EXTENSION.serviceVerification,
  extension: [
    { url: EXTENSION_PART.serviceVerification.date, valueDateTime: new Date(now.getTime() - daysAgo * 86_400_000).toISOString() },
    { url: EXTENSION_PART.serviceVerification.by, valueCode: 'feed' },
  ],
});
const capacity = (accepting: boolean, waitDays?: number) => ({
  url: EXTENSION.serviceCapacity,
  extension: [
    { url: EXTENSION_PART.serviceCapacity.acceptingReferrals, valueBoolean: accepting },
    ...(waitDays !== undefined ? [{ url: EXTENSION_PART.serviceCapacity.waitDays, valueInteger: waitDays }] : []),
  ],
});

function svc(id: string, needs: string[], more: Partial<HealthcareService> = {}): HealthcareService {
  return {
    resourceType: 'HealthcareService',
    id,
    active: true,
    name: id,
    category: needs.map((code) => ({ coding: [{ system: CODE_SYSTEM.need, code }] })),
    ...more,
    extension: more.extension ?? [verified(30)],
  };
}
const loc = (id: string, lat: number, lon: number, postalCode: string): Location => ({ resourceType: 'Location', id, name: id, position: { latitude: lat, longitude: lon }, address: { postalCode } });
const home = { latitude: 52.2052, longitude: -1.6021 };

describe('directory search: ranking and filters', () => {
  const locations = [loc('near', 52.2080, -1.6040, 'FB1 6NP'), loc('far', 52.1602, -1.6540, 'FB7 9JK')];
  const services = [
    svc('one-need-near', ['loneliness'], { location: [{ reference: 'Location/near' }] }),
    svc('two-needs-far', ['loneliness', 'social-isolation'], { location: [{ reference: 'Location/far' }] }),
    svc('two-needs-full', ['loneliness', 'social-isolation'], { extension: [verified(10), capacity(false)] }),
    svc('two-needs-stale', ['loneliness', 'social-isolation'], { extension: [verified(500)] }),
    svc('debt', ['debt-money'], { comment: 'Money advice at the library' }),
    svc('closed', ['loneliness'], { active: false }),
  ];
  const index = DirectoryIndex.build(services, locations);

  it('ranks more needs first, then taking referrals, then recently checked, then nearer; inactive services never show', () => {
    const hits = index.search({ needs: ['loneliness', 'social-isolation'], near: home }, opts);
    expect(hits.map((h) => h.id)).to.deep.equal(['two-needs-far', 'two-needs-stale', 'two-needs-full', 'one-need-near']);
    expect(hits[0]!.reason).to.equal('matches 2 needs, 3.8 miles, taking referrals');
    expect(hits[1]!.reason).to.equal('matches 2 needs, no venue to travel to, taking referrals, details not checked recently');
    expect(hits[1]!.stale).to.equal(true);
    expect(hits[2]!.reason).to.equal('matches 2 needs, no venue to travel to, not taking referrals');
    expect(hits[3]!.reason).to.equal('matches 1 need, 0.2 miles, taking referrals');
  });

  it('ranks by needs without leaving out the rest when asked (the link worker\'s search): a service meeting none says no need', () => {
    const hits = index.search({ needs: ['loneliness', 'social-isolation'], keepUnmatched: true }, opts);
    expect(hits.map((h) => h.id)).to.deep.equal(['two-needs-far', 'two-needs-stale', 'two-needs-full', 'one-need-near', 'debt']);
    expect(hits[4]!.reason).to.equal('taking referrals');
    expect(index.search({ needs: ['loneliness', 'social-isolation'] }, opts).map((h) => h.id), 'the GP app\'s search still filters').not.to.include('debt');
  });

  it('filters by free text, place, distance and capacity', () => {
    expect(index.search({ text: 'MONEY library' }, opts).map((h) => h.id)).to.deep.equal(['debt']);
    expect(index.search({ locality: 'fb7' }, opts).map((h) => h.id)).to.deep.equal(['two-needs-far']);
    expect(index.search({ needs: ['loneliness'], near: home, withinMiles: 1 }, opts).map((h) => h.id)).to.not.include('two-needs-far');
    expect(index.search({ needs: ['loneliness'], acceptingOnly: true }, opts).map((h) => h.id)).to.not.include('two-needs-full');
  });

  it('knows what is open now (Europe/London) and this week', () => {
    const weekly = DirectoryIndex.build([
      svc('wed-morning', ['loneliness'], { availableTime: [{ daysOfWeek: ['wed'], availableStartTime: '10:00:00', availableEndTime: '12:00:00' }] }),
      svc('fri-lunch', ['loneliness'], { availableTime: [{ daysOfWeek: ['fri'], availableStartTime: '12:00:00', availableEndTime: '14:00:00' }] }),
      svc('monthly', ['loneliness'], { availabilityExceptions: 'First Saturday of the month' }),
    ]);
    expect(weekly.search({ open: 'now' }, opts).map((h) => h.id)).to.deep.equal(['wed-morning']);
    expect(weekly.search({ open: 'now' }, opts)[0]!.reason).to.contain('open now');
    expect(weekly.search({ open: 'this-week' }, opts).map((h) => h.id)).to.deep.equal(['fri-lunch', 'wed-morning']);
    // 10:30 UTC in summer is 11:30 in London: still in the session; at 12:30 London it is over.
    expect(weekly.search({ open: 'now' }, { ...opts, now: new Date('2026-07-01T11:30:00Z') }).map((h) => h.id)).to.deep.equal([]);
  });

  it('places a person by their postcode when the address has no coordinates: the venue there, else the district', () => {
    expect(approximatePosition('fb1 6np', locations)).to.deep.equal({ latitude: 52.2080, longitude: -1.6040 });
    expect(approximatePosition('FB7 1AA', locations)).to.deep.equal({ latitude: 52.1602, longitude: -1.6540 });
    expect(approximatePosition('ZZ9 9ZZ', locations)).to.equal(undefined);
    expect(milesBetween(home, home)).to.equal(0);
  });

  it('explains in one line', () => {
    expect(explain({ wanted: true, needs: 2, miles: 1.23, openNow: false, accepting: true, waitDays: 21, stale: false, hasVenue: true, near: true })).to.equal('matches 2 needs, 1.2 miles, taking referrals, wait about 3 weeks');
    expect(explain({ wanted: false, needs: 0, openNow: true, stale: false, hasVenue: false, near: true })).to.equal('no venue to travel to, open now, taking referrals');
  });
});
