import { expect } from 'chai';
import type { Extension, HealthcareService } from '@medplum/fhirtypes';
import { EXTENSION, EXTENSION_PART } from '../../../src/referral-model/codes.js';
import { capacityOf } from '../../../src/directory/search.js';
import { mergeIntoDirectory } from '../../../src/directory/merge.js';
import { markChecked, markInactive, recordChange, toCheckList, updateCapacity, type ServiceReport } from '../../../src/directory/stewardship.js';
import { isStale, verificationExtension, verificationLabel, verificationOf } from '../../../src/directory/verification.js';

const NOW = new Date('2026-12-02T10:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
const verified = (n: number, by: 'feed' | 'provider' | 'link-worker' | 'manager' = 'feed', who = 'Westshire directory'): Extension => verificationExtension({ date: daysAgo(n), by, who });
const hs = (id: string, more: Partial<HealthcareService> = {}): HealthcareService => ({ resourceType: 'HealthcareService', id, name: `Service ${id}`, active: true, meta: { versionId: '4' }, ...more });
const report = (id: number, serviceId: string, days: number, kind: 'closed' | 'changed' = 'closed'): ServiceReport => ({ id, serviceId, serviceName: `Service ${serviceId}`, kind, reporterName: 'Sarah Whitfield', reportedAt: daysAgo(days) });
const opts = { now: NOW, staleAfterDays: 365, reportResponseDays: 7 };

describe('directory: who last checked a service (one label, one stale rule)', () => {
  it('reads the extension back as written, and words it the same way for every surface', () => {
    const v = { date: '2026-11-20T10:00:00Z', by: 'provider' as const, who: 'Gail Hughes' };
    expect(verificationOf({ extension: [verificationExtension(v)] })).to.deep.equal(v);
    expect(verificationLabel(v)).to.equal('Last checked 20 Nov 2026 by the provider (Gail Hughes)');
    expect(verificationLabel({ date: '2026-06-01T00:00:00Z', by: 'manager' })).to.equal('Last checked 1 Jun 2026 by the service manager');
    expect(verificationLabel(undefined)).to.equal('Not checked yet');
  });

  it('ignores an unreadable verification (unknown verifier, no date), and counts never-checked as stale', () => {
    const bad = { url: EXTENSION.serviceVerification, extension: [{ url: EXTENSION_PART.serviceVerification.date, valueDateTime: daysAgo(1) }, { url: EXTENSION_PART.serviceVerification.by, valueCode: 'robot' }] };
    expect(verificationOf({ extension: [bad] })).to.equal(undefined);
    expect(isStale(undefined, NOW, 365)).to.equal(true);
    expect(isStale(verificationOf({ extension: [verified(365)] }), NOW, 365)).to.equal(false);
    expect(isStale(verificationOf({ extension: [verified(366)] }), NOW, 365)).to.equal(true);
  });
});

describe('directory: a manager\'s and a provider\'s changes to a service', () => {
  const steward = { by: 'manager' as const, name: 'Nina Kaur' };

  it('mark checked changes nothing but the verification; mark inactive keeps everything and is never a deletion', () => {
    const before = hs('a', { comment: 'Walks', extension: [verified(400)] });
    const checked = markChecked(before, steward, NOW);
    expect(verificationOf(checked)).to.deep.equal({ date: NOW.toISOString(), by: 'manager', who: 'Nina Kaur' });
    expect({ ...checked, extension: undefined }).to.deep.equal({ ...before, extension: undefined });
    expect(checked.extension).to.have.length(1);
    const inactive = markInactive(before, steward, NOW);
    expect(inactive.active).to.equal(false);
    expect(inactive.comment).to.equal('Walks');
    expect(before.active, 'pure').to.equal(true);
  });

  it('record the change: contact routes set or removed in place, description, capacity as of now; checked by the manager', () => {
    const before = hs('a', { comment: 'Old', telecom: [{ system: 'phone', value: '01632 960000' }, { system: 'email', value: 'old@x.org' }, { system: 'url', value: 'https://x.org' }] });
    const after = recordChange(before, { phone: '01632 960111', email: '', website: 'https://new.example.org', description: 'New', acceptingReferrals: false, waitDays: 30 }, steward, NOW);
    expect(after.telecom).to.deep.equal([{ system: 'phone', value: '01632 960111' }, { system: 'url', value: 'https://new.example.org' }]);
    expect(after.comment).to.equal('New');
    expect(capacityOf(after)).to.deep.equal({ acceptingReferrals: false, waitDays: 30, asOf: NOW.toISOString() });
    expect(verificationOf(after)?.by).to.equal('manager');
  });

  it('a provider\'s capacity replaces the old one and counts as verified by the provider', () => {
    const old = { url: EXTENSION.serviceCapacity, extension: [{ url: EXTENSION_PART.serviceCapacity.acceptingReferrals, valueBoolean: false }, { url: EXTENSION_PART.serviceCapacity.waitDays, valueInteger: 42 }] };
    const after = updateCapacity(hs('a', { extension: [old, verified(500)] }), { acceptingReferrals: true }, { by: 'provider', name: 'Gail Hughes' }, NOW);
    expect(capacityOf(after)).to.deep.equal({ acceptingReferrals: true, asOf: NOW.toISOString() });
    expect(after.extension?.filter((e) => e.url === EXTENSION.serviceCapacity)).to.have.length(1);
    expect(verificationLabel(verificationOf(after))).to.equal('Last checked 2 Dec 2026 by the provider (Gail Hughes)');
  });

  it('a feed import does not bring back a service the manager found closed after the feed\'s record', () => {
    const closedByManager = markInactive(hs('a', { extension: [verified(30)] }), steward, NOW);
    expect(mergeIntoDirectory(hs('a', { extension: [verified(10)] }), closedByManager).active).to.equal(false);
    // A feed record assured after the manager's finding wins.
    const later = verificationExtension({ date: new Date(NOW.getTime() + 86_400_000).toISOString(), by: 'feed' });
    expect(mergeIntoDirectory(hs('a', { extension: [later] }), closedByManager).active).to.equal(true);
  });
});

describe('directory: the manager\'s "to check" list', () => {
  it('lists stale services and reported ones, overdue reports first, then oldest first; never-checked counts as oldest', () => {
    const services = [
      hs('fresh', { extension: [verified(10)] }),
      hs('stale', { extension: [verified(400)] }),
      hs('never'),
      hs('reported', { extension: [verified(5)] }),
      hs('overdue', { extension: [verified(5)] }),
      hs('closed', { active: false }),
    ];
    const items = toCheckList(services, [report(1, 'reported', 2), report(2, 'overdue', 9, 'changed'), report(3, 'gone', 1)], opts);
    expect(items.map((i) => i.serviceId)).to.deep.equal(['overdue', 'never', 'stale', 'reported', 'gone']);
    expect(items[0]).to.deep.include({ overdue: true, stale: false, version: '4' });
    expect(items[0]!.reports[0]).to.deep.include({ kind: 'changed', reporterName: 'Sarah Whitfield', overdue: true });
    expect(items.find((i) => i.serviceId === 'never')).to.deep.include({ stale: true, verifiedLabel: 'Not checked yet' });
    expect(items.find((i) => i.serviceId === 'gone')).to.deep.include({ missing: true, name: 'Service gone' });
    expect(items.some((i) => i.serviceId === 'closed'), 'an inactive service is not stale').to.equal(false);
  });

  it('an inactive service someone reported stays on the list until a manager acts', () => {
    const items = toCheckList([hs('closed', { active: false })], [report(1, 'closed', 1)], opts);
    expect(items).to.have.length(1);
    expect(items[0]).to.deep.include({ active: false, stale: false });
  });
});
