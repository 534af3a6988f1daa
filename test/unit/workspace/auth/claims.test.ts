import { expect } from 'chai';
import { actorFromClaims } from '../../../../src/workspace/auth/claims.js';

const NAMES = { rolesClaim: 'roles', organizationClaim: 'org', practitionerClaim: 'fhirUser' };
const LW = 'http://localhost:3000/sandbox/lw/fhir';

describe('workspace claims → user', () => {
  const claims = { sub: 'lw-1', name: 'Sarah Whitfield', roles: ['link-worker', 'gp'], org: 'Y99950', fhirUser: `${LW}/Practitioner/lw-1` };

  it('takes roles, organisation and the Practitioner (relative to the link-worker endpoint) from claims', () => {
    expect(actorFromClaims(claims, NAMES, LW)).to.deep.equal({
      ok: true, actor: { sub: 'lw-1', name: 'Sarah Whitfield', practitioner: 'Practitioner/lw-1', orgOds: 'Y99950', roles: ['link-worker'] },
    });
    const custom = actorFromClaims({ sub: 'x', groups: 'service-manager', ods: 'Y1', pract: 'Practitioner/p1', email: 'x@y' }, { rolesClaim: 'groups', organizationClaim: 'ods', practitionerClaim: 'pract' }, LW);
    expect(custom.ok && custom.actor).to.include({ name: 'x@y', orgOds: 'Y1', practitioner: 'Practitioner/p1' });
  });

  it('refuses users without a workspace role, organisation or Practitioner at this endpoint', () => {
    expect(actorFromClaims({ ...claims, roles: ['gp'] }, NAMES, LW).ok).to.equal(false);
    expect(actorFromClaims({ ...claims, org: '' }, NAMES, LW).ok).to.equal(false);
    expect(actorFromClaims({ ...claims, fhirUser: 'http://elsewhere/fhir/Practitioner/lw-1' }, NAMES, LW).ok).to.equal(false);
    expect(actorFromClaims({ ...claims, sub: undefined }, NAMES, LW).ok).to.equal(false);
  });
});
