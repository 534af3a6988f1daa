import { expect } from 'chai';
import type { Extension, HealthcareService } from '@medplum/fhirtypes';
import { EXTENSION, EXTENSION_PART } from '../../../src/referral-model/codes.js';
import { changedFields, mergeIntoDirectory, retired } from '../../../src/directory/merge.js';

const verification = (date: string, by: string): Extension => ({
  url: EXTENSION.serviceVerification,
  extension: [
    { url: EXTENSION_PART.serviceVerification.date, valueDateTime: date },
    { url: EXTENSION_PART.serviceVerification.by, valueCode: by },
  ],
});
const capacity: Extension = { url: EXTENSION.serviceCapacity, extension: [{ url: EXTENSION_PART.serviceCapacity.acceptingReferrals, valueBoolean: false }] };
const hs = (more: Partial<HealthcareService>): HealthcareService => ({ resourceType: 'HealthcareService', id: 'oruk-1', active: true, name: 'Walking group', ...more });

describe('directory: a feed record meets what the directory holds', () => {
  it('keeps the capacity a provider reported and a verification newer than the feed’s', () => {
    const existing = hs({ meta: { versionId: '3' }, extension: [verification('2026-11-20T10:00:00Z', 'link-worker'), capacity] });
    const fromFeed = hs({ comment: 'New words', extension: [verification('2026-06-01T00:00:00Z', 'feed')] });
    const merged = mergeIntoDirectory(fromFeed, existing);
    expect(merged.extension).to.deep.equal([verification('2026-11-20T10:00:00Z', 'link-worker'), capacity]);
    expect(merged.comment).to.equal('New words');
    expect(changedFields(existing, merged)).to.deep.equal(['comment']);
  });

  it('lets the feed’s capacity (temporarily closed) and its newer verification win', () => {
    const closed: Extension = { url: EXTENSION.serviceCapacity, extension: [{ url: EXTENSION_PART.serviceCapacity.acceptingReferrals, valueBoolean: false }, { url: EXTENSION_PART.serviceCapacity.asOf, valueDateTime: '2026-11-25T00:00:00Z' }] };
    const existing = hs({ extension: [verification('2026-01-01T00:00:00Z', 'provider'), { url: EXTENSION.serviceCapacity, extension: [] }] });
    const merged = mergeIntoDirectory(hs({ extension: [verification('2026-11-01T00:00:00Z', 'feed'), closed] }), existing);
    expect(merged.extension).to.deep.equal([verification('2026-11-01T00:00:00Z', 'feed'), closed]);
  });

  it('sees no change when only meta differs, and retires by marking inactive with everything kept', () => {
    const a = hs({ meta: { versionId: '1' }, comment: 'x' });
    expect(changedFields(a, hs({ comment: 'x' }))).to.deep.equal([]);
    expect(retired(a)).to.deep.equal(hs({ comment: 'x', active: false }));
  });
});
