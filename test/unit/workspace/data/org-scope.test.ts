import { expect } from 'chai';
import { ownedBy, type OrgScope } from '../../../../src/workspace/data/org-scope.js';

const LW = 'http://localhost:3000/sandbox/lw/fhir';

describe('workspace organisation scope', () => {
  const scope: OrgScope = { ods: 'Y99950', refs: new Set(['Organization/lw-service', 'PractitionerRole/lw-1-role']) };
  it('matches owners by ODS identifier or by reference, relative or absolute', () => {
    expect(ownedBy({ identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'Y99950' } }, scope, LW)).to.equal(true);
    expect(ownedBy({ reference: 'Organization/lw-other', identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'Y99960' } }, scope, LW)).to.equal(false);
    expect(ownedBy({ reference: `${LW}/PractitionerRole/lw-1-role` }, scope, LW)).to.equal(true);
    expect(ownedBy({ reference: 'PractitionerRole/lw-9-role' }, scope, LW)).to.equal(false);
    expect(ownedBy(undefined, scope, LW)).to.equal(false);
  });
});
