import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM, SYSTEM } from '../../../src/referral-model/codes.js';
import { parsePage, parseService, type OrukService } from '../../../src/directory/oruk-schema.js';
import { directoryResourceId, mapOrukService } from '../../../src/directory/oruk-to-fhir.js';
import { needsFor, serviceTypeFor } from '../../../src/directory/need-mapping.js';
import { validateBaseR4 } from '../../../src/fhir/validate/index.js';

const full = JSON.parse(readFileSync(new URL('../../fixtures/oruk/service-full.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const feed = { feedId: 'westshire', feedName: 'Westshire Directory' };
const at = new Date('2026-11-20T12:00:00Z');

function parsed(input: unknown): OrukService {
  const r = parseService(input);
  if (!r.ok) throw new Error(r.reasons.join('; '));
  return r.service;
}

describe('directory: Open Referral UK record checks', () => {
  it('accepts a fully nested service shaped like the profile’s published example', () => {
    const s = parsed(full);
    expect(s.id).to.equal('5b0f3c1e-2a7d-4c61-9e0b-6f1d2c3a4b5c');
    expect(s.service_at_locations?.[0]?.location?.latitude).to.equal(51.4545);
    // Unknown fields (funding here) are kept, as publishers extend the profile.
    expect((s as Record<string, unknown>).funding).to.be.an('array');
  });

  it('accepts the minimum the profile requires: id, name and status; null stands for absent', () => {
    const s = parsed({ id: 42, name: 'Lunch club', status: 'active', description: null, schedules: null });
    expect(s.id).to.equal('42');
    expect(s.description).to.equal(undefined);
  });

  it('names every reason a record is refused', () => {
    const r = parseService({ id: 'x1', name: '', status: 'open', service_at_locations: [{ id: 's', location: { id: 'l', latitude: 'north' } }] });
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.id).to.equal('x1');
    expect(r.reasons.some((m) => m.startsWith('name:'))).to.equal(true);
    expect(r.reasons).to.include('status: expected one of active, inactive, defunct, temporarily closed');
    expect(r.reasons.some((m) => m.startsWith('service_at_locations.0.location.latitude:'))).to.equal(true);
  });

  it('refuses a record without an id, and something that is not a record', () => {
    const r = parseService({ name: 'No id', status: 'active' });
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.reasons).to.include('id: required');
    expect(parseService('nonsense').ok).to.equal(false);
  });

  it('reads a list page envelope and refuses a body that is not one', () => {
    const page = parsePage({ total_items: 3, total_pages: 2, page_number: 1, size: 2, first_page: true, last_page: false, empty: false, contents: [{}, {}] });
    expect(page.total_pages).to.equal(2);
    expect(page.contents).to.have.length(2);
    expect(() => parsePage({ services: [] })).to.throw(/contents/);
  });
});

describe('directory: Open Referral UK service to FHIR', () => {
  const mapped = mapOrukService(parsed(full), feed, at);
  const hs = mapped.healthcareService;

  it('identifies the service, organisation and location by their ORUK ids, with ids derived from them', () => {
    expect(hs.identifier).to.deep.equal([{ system: IDENTIFIER_SYSTEM.orukService, value: '5b0f3c1e-2a7d-4c61-9e0b-6f1d2c3a4b5c' }]);
    expect(hs.id).to.equal('oruk-5b0f3c1e-2a7d-4c61-9e0b-6f1d2c3a4b5c');
    expect(mapped.organization?.identifier?.[0]).to.deep.equal({ system: IDENTIFIER_SYSTEM.orukOrganization, value: '0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f' });
    expect(mapped.organization?.identifier?.[1]).to.deep.include({ system: 'https://org-id.guide/list/GB-COH', value: '01234567' });
    expect(hs.providedBy).to.deep.equal({ reference: `Organization/${mapped.organization!.id}`, display: 'Talking Together CIC' });
    expect(hs.location).to.deep.equal([{ reference: `Location/${mapped.locations[0]!.id}`, display: 'Fernbridge Community Centre' }]);
  });

  it('maps needs to SP Link codes and keeps the publisher’s taxonomy terms as codings', () => {
    const needs = hs.category?.flatMap((c) => c.coding ?? []).map((c) => [c.system, c.code]);
    expect(needs).to.deep.equal([[CODE_SYSTEM.need, 'mental-wellbeing']]);
    expect(hs.type?.[0]?.coding?.[0]).to.deep.include({ system: CODE_SYSTEM.serviceType, code: 'wellbeing-support' });
    const codings = hs.characteristic?.flatMap((c) => c.coding ?? []);
    expect(codings).to.deep.include({ system: 'https://fhir.sp-link.example.org/oruk-taxonomy/esdneeds', code: 'esd-needs-137', display: 'Mental health and wellbeing' });
    expect(codings).to.deep.include({ system: 'https://example.org/taxonomies/circumstances', code: 'ANX', display: 'Anxiety' });
  });

  it('carries contact, eligibility, schedules, area, languages, accessibility, cost and referral method', () => {
    expect(hs.telecom).to.deep.equal([
      { system: 'phone', value: '01632 960111', use: 'work' },
      { system: 'email', value: 'hello@talking-together.example.org', use: 'work' },
      { system: 'url', value: 'https://example.org/talking-together', use: 'work' },
    ]);
    expect(hs.eligibility?.[0]?.comment).to.equal('Ages 16 to 99');
    expect(hs.availableTime).to.deep.equal([{ daysOfWeek: ['tue', 'thu'], availableStartTime: '10:00:00', availableEndTime: '18:00:00' }]);
    expect(hs.availabilityExceptions).to.include('first Saturday of the month');
    expect(hs.coverageArea).to.deep.equal([{ display: 'Fernbridge and the Vale' }]);
    expect(hs.communication?.map((c) => c.coding?.[0]?.code)).to.deep.equal(['en', 'pl']);
    expect(hs.communication?.[1]?.coding?.[0]?.system).to.equal(SYSTEM.bcp47);
    expect(hs.characteristic?.map((c) => c.text)).to.include('Accessibility: Step-free entrance and hearing loop');
    expect(hs.extraDetails).to.include('Cost: Pay what you can; Concessions £10 per 50-minute session.');
    expect(hs.comment).to.include('Evening sessions move online');
    expect(hs.referralMethod?.map((m) => m.coding?.[0]?.code)).to.deep.equal(['phone', 'semail']);
    const loc = mapped.locations[0]!;
    expect(loc.position).to.deep.equal({ latitude: 51.4545, longitude: -2.5879 });
    expect(loc.address).to.deep.include({ line: ['12 Mill Lane'], city: 'Fernbridge', postalCode: 'FB1 2AB' });
    expect(loc.identifier?.[1]).to.deep.equal({ type: { text: 'UPRN' }, value: '100012345678' });
  });

  it('records who vouched for the details and when (the assurer, through the feed)', () => {
    const v = hs.extension?.find((e) => e.url === EXTENSION.serviceVerification)?.extension ?? [];
    expect(v.find((e) => e.url === 'date')?.valueDateTime).to.equal('2026-06-01T00:00:00Z');
    expect(v.find((e) => e.url === 'by')?.valueCode).to.equal('feed');
    expect(v.find((e) => e.url === 'who')?.valueString).to.equal('Westshire Directory (assured by directory@council.example.gov.uk)');
  });

  it('writes resources valid against base FHIR R4', () => {
    for (const r of [hs, mapped.organization!, ...mapped.locations]) expect(() => validateBaseR4(r), r.resourceType).not.to.throw();
  });

  it('keeps a temporarily closed service active but not taking referrals; inactive and defunct ones inactive', () => {
    const closed = mapOrukService(parsed({ ...full, status: 'temporarily closed' }), feed, at).healthcareService;
    expect(closed.active).to.equal(true);
    const cap = closed.extension?.find((e) => e.url === EXTENSION.serviceCapacity)?.extension ?? [];
    expect(cap.find((e) => e.url === 'acceptingReferrals')?.valueBoolean).to.equal(false);
    expect(closed.availabilityExceptions).to.match(/^Temporarily closed/);
    for (const status of ['inactive', 'defunct']) expect(mapOrukService(parsed({ ...full, status }), feed, at).healthcareService.active).to.equal(false);
  });

  it('falls back to the name and description for needs when a service has no taxonomy terms', () => {
    const s = mapOrukService(parsed({ id: 'lc-1', name: 'Friday lunch club', status: 'active', description: 'A hot meal and company for older people who feel lonely.' }), feed, at).healthcareService;
    expect(s.category?.map((c) => c.coding?.[0]?.code)).to.deep.equal(['loneliness', 'social-isolation', 'food-insecurity']);
    expect(s.providedBy).to.equal(undefined);
    expect(() => validateBaseR4(s)).not.to.throw();
  });

  it('derives a valid FHIR id from any ORUK id, the same every time', () => {
    expect(directoryResourceId('HealthcareService', 'ABC-1')).to.equal('oruk-abc-1');
    const odd = directoryResourceId('Location', 'westshire:loc/42 with spaces');
    expect(odd).to.match(/^oruk-loc-[0-9a-f]{40}$/);
    expect(directoryResourceId('Location', 'westshire:loc/42 with spaces')).to.equal(odd);
  });
});

describe('directory: needs and service types from taxonomy words', () => {
  it('finds SP Link needs whatever taxonomy names them', () => {
    expect(needsFor(['Debt advice', 'Universal Credit help'])).to.deep.equal(['debt-money', 'welfare-benefits']);
    expect(needsFor(['Gardening'])).to.deep.equal([]);
  });
  it('picks a service type from terms first, then name and description, else community group', () => {
    expect(serviceTypeFor(['Food bank'], 'Anything')).to.equal('food-support');
    expect(serviceTypeFor([], 'Green Roots allotment')).to.equal('green-activity');
    expect(serviceTypeFor([], 'Knit and natter')).to.equal('community-group');
  });
});
