import { expect } from 'chai';
import type { HealthcareService } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { describeRoute, directoryRoutes, routeFor, type RouteEndpoint } from '../../../src/referral-model/referral-routes.js';

const hs = (id: string, providedBy: HealthcareService['providedBy'], type = 'befriending'): HealthcareService => ({
  resourceType: 'HealthcareService',
  id,
  name: `Service ${id}`,
  active: true,
  ...(providedBy ? { providedBy } : {}),
  type: [{ coding: [{ system: CODE_SYSTEM.serviceType, code: type }] }],
});

const directory = [
  hs('lw', { reference: 'Organization/lw-org', display: 'Community Links' }, 'link-worker'),
  hs('housing', { reference: 'http://lw/fhir/Organization/org-housing', display: 'Vale Housing' }),
  hs('calm', { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: 'Y00072' }, display: 'Calm Waters' }),
  hs('walking', { reference: 'Organization/org-leisure', display: 'Leisure Trust' }),
];

const endpoint: RouteEndpoint = {
  id: 'links',
  fhirBase: 'http://lw/fhir',
  name: 'Community Links',
  organizationOdsCode: 'Y00050',
  directReferrals: [
    { via: 'workspace', organization: 'Organization/org-housing', odsCode: 'Y00071', name: 'Vale Housing Advice' },
    { via: 'endpoint', organization: 'Organization/org-calm', odsCode: 'Y00072', name: 'Calm Waters', endpoint: 'calm-waters' },
  ],
};

describe('referral routes', () => {
  it('sends a service of a provider not configured for direct referrals via the link-worker service, owned by its organisation', () => {
    const r = routeFor(directory[3], directory, endpoint);
    expect(r).to.deep.equal({
      kind: 'link-worker',
      endpointId: 'links',
      owner: { reference: 'Organization/lw-org', identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: 'Y00050' }, display: 'Community Links' },
      contact: 'Community Links',
    });
    expect(routeFor(undefined, directory, endpoint).kind).to.equal('link-worker');
  });

  it('sends a direct provider’s service to it: by providedBy reference (absolute or relative) or by ODS identifier', () => {
    const housing = routeFor(directory[1], directory, endpoint);
    expect(housing).to.deep.include({ kind: 'direct', via: 'workspace', endpointId: 'links', contact: 'Vale Housing Advice' });
    expect(housing.kind === 'direct' && housing.owner.identifier?.value).to.equal('Y00071');
    const calm = routeFor(directory[2], directory, endpoint);
    expect(calm).to.deep.include({ kind: 'direct', via: 'endpoint', endpointId: 'calm-waters', contact: 'Calm Waters' });
    // At the provider's own server the Organization has its own id: the owner is named by ODS code only.
    expect(calm.kind === 'direct' && calm.owner).to.deep.equal({ identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: 'Y00072' }, display: 'Calm Waters' });
    expect(describeRoute(housing as never)).to.equal('direct to Vale Housing Advice (its staff use the SP Link workspace)');
  });

  it('names the route nobody watches: no ODS code configured and no link-worker service in the directory', () => {
    const bare = { id: 'links', fhirBase: 'http://lw/fhir', name: 'Community Links' };
    const noLinkWorker = directory.slice(1);
    const r = routeFor(directory[3], noLinkWorker, bare);
    expect(r.kind).to.equal('unwatched');
    expect(r.kind === 'unwatched' && r.problem).to.match(/nobody would see referrals at link-worker endpoint "links": set organizationOdsCode/);
    const all = directoryRoutes(noLinkWorker, bare);
    expect(all.ok).to.equal(false);
    // With the directory's link-worker service, its provider owns the Tasks.
    const withLw = directoryRoutes(directory, bare);
    expect(withLw.ok && withLw.routes.map((x) => x.route.kind)).to.deep.equal(['link-worker', 'link-worker', 'link-worker', 'link-worker']);
  });
});
