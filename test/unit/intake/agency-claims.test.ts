import { expect } from 'chai';
import type { KnownAgencyConfig } from '../../../src/config/schema.js';
import { agencyUserFromClaims } from '../../../src/intake/agency-claims.js';

const PHARMACY: KnownAgencyConfig = {
  id: 'fernbridge-pharmacy',
  name: 'Fernbridge Pharmacy',
  odsCode: 'FA123',
  oidc: { issuer: 'https://login.example.org', clientId: 'c', clientSecret: 's', scopes: 'openid profile email', rolesClaim: 'roles', roles: ['pharmacist'], organizationClaim: 'org', jobTitleClaim: 'job_title' },
};
const PRIYA = { sub: 'u-1', name: 'Priya Shah', email: 'priya@pharmacy.example.org', roles: ['pharmacist'], org: 'FA123', job_title: 'Community pharmacist' };

describe('intake: the agency sign-in’s claims', () => {
  it('reads the referrer: the agency’s id, the subject, name, job title and work contact', () => {
    expect(agencyUserFromClaims({ ...PRIYA, phone_number: '01632 960 500' }, PHARMACY)).to.deep.equal({
      ok: true,
      user: { agencyId: 'fernbridge-pharmacy', sub: 'u-1', name: 'Priya Shah', jobTitle: 'Community pharmacist', email: 'priya@pharmacy.example.org', phone: '01632 960 500' },
    });
  });

  it('takes the name from given and family names, roles as a space- or comma-separated string, the ODS code in any case', () => {
    const r = agencyUserFromClaims({ sub: 'u-1', given_name: 'Priya', family_name: 'Shah', roles: 'dispenser,pharmacist', org: ' fa123 ' }, PHARMACY);
    expect(r).to.deep.equal({ ok: true, user: { agencyId: 'fernbridge-pharmacy', sub: 'u-1', name: 'Priya Shah' } });
  });

  it('uses the configured claim names', () => {
    const agency = { ...PHARMACY, oidc: { ...PHARMACY.oidc, rolesClaim: 'groups', organizationClaim: 'ods', jobTitleClaim: 'title' } };
    expect(agencyUserFromClaims({ sub: 'u-1', name: 'Priya Shah', groups: ['pharmacist'], ods: 'FA123', title: 'Pharmacist' }, agency)).to.deep.include({ ok: true });
    expect(agencyUserFromClaims(PRIYA, agency)).to.deep.include({ ok: false });
  });

  it('refuses no subject, another organisation (or none), no role that may refer, no name', () => {
    const reason = (claims: Record<string, unknown>) => {
      const r = agencyUserFromClaims(claims, PHARMACY);
      return r.ok ? 'signed in' : r.reason;
    };
    expect(reason({ ...PRIYA, sub: '' })).to.equal('the identity provider sent no subject');
    expect(reason({ ...PRIYA, org: 'FA124' })).to.equal('your account is not at Fernbridge Pharmacy');
    expect(reason({ ...PRIYA, org: undefined })).to.equal('your account is not at Fernbridge Pharmacy');
    expect(reason({ ...PRIYA, roles: ['pharmacy-technician'] })).to.equal('your account has no role that may refer for Fernbridge Pharmacy');
    expect(reason({ ...PRIYA, roles: undefined })).to.equal('your account has no role that may refer for Fernbridge Pharmacy');
    expect(reason({ ...PRIYA, name: ' ' })).to.equal('the identity provider sent no name');
  });
});
