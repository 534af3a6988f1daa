import { expect } from 'chai';
import { onwardSearchOf } from '../../../../src/workspace/domain/onward-search.js';
import { parseDirectoryQuery, positionOfHome } from '../../../../src/referrals/directory.js';

describe('workspace: the onward-referral picker\'s search (one reading of a directory query for both pickers)', () => {
  it('until the link worker searches: the case\'s needs rank the services, nearest to the person\'s home first', () => {
    const { form, search, nearHome } = onwardSearchOf({}, ['loneliness', 'bereavement']);
    expect(search).to.deep.equal({ needs: ['loneliness', 'bereavement'], keepUnmatched: true });
    expect(nearHome).to.equal(true);
    expect(form).to.deep.equal({ needs: ['loneliness', 'bereavement'], q: '', open: '', accepting: false, nearHome: true, searched: false });
  });

  it('once searched, takes exactly what was sent: no needs ticked ranks by none, distance off when unticked', () => {
    const { form, search, nearHome } = onwardSearchOf({ find: '1', q: '  walking  ', open: 'this-week', accepting: 'true' }, ['loneliness']);
    expect(search).to.deep.equal({ needs: [], text: 'walking', open: 'this-week', acceptingOnly: true, keepUnmatched: true });
    expect(nearHome).to.equal(false);
    expect(form.searched).to.equal(true);
  });

  it('drops what it does not know: unknown needs and opening values, over-long text, repeated needs', () => {
    const { search } = parseDirectoryQuery({ need: ['loneliness', 'loneliness', 'no-such-need,housing'], open: 'always', q: 'x'.repeat(500), accepting: 'yes', near: 'work' });
    expect(search.needs).to.deep.equal(['loneliness', 'housing']);
    expect(search.open).to.equal(undefined);
    expect(search.text).to.have.length(100);
    expect(search.acceptingOnly).to.equal(undefined);
    expect(parseDirectoryQuery({ need: 'loneliness,housing', near: 'home' })).to.deep.equal({ search: { needs: ['loneliness', 'housing'] }, nearHome: true });
  });

  it('places the person\'s home from the coordinates on their address, else from its postcode among the directory\'s venues', () => {
    const geo = { url: 'http://hl7.org/fhir/StructureDefinition/geolocation', extension: [{ url: 'latitude', valueDecimal: 52.1 }, { url: 'longitude', valueDecimal: -1.6 }] };
    expect(positionOfHome({ address: [{ use: 'home', extension: [geo], postalCode: 'FB1 2AB' }] }, [])).to.deep.equal({ latitude: 52.1, longitude: -1.6 });
    const venue = { resourceType: 'Location' as const, id: 'v', position: { latitude: 52.2, longitude: -1.5 }, address: { postalCode: 'FB1 2AB' } };
    expect(positionOfHome({ address: [{ postalCode: 'fb1 2ab' }] }, [venue])).to.deep.equal({ latitude: 52.2, longitude: -1.5 });
    expect(positionOfHome(undefined, [venue])).to.equal(undefined);
  });
});
