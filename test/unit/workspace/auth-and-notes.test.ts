import { expect } from 'chai';
import { actorFromClaims } from '../../../src/workspace/auth/claims.js';
import { HEADING, note, parseNote } from '../../../src/workspace/domain/case-notes.js';
import { ownedBy, type OrgScope } from '../../../src/workspace/data/org-scope.js';

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

describe('workspace case notes', () => {
  const author = { reference: 'Practitioner/lw-1', display: 'Sarah Whitfield' };
  it('round-trips contacts and sessions through Task.note text', () => {
    const failed = parseNote(note({ heading: HEADING.contactFailed('Telephone call'), detail: 'rang twice', time: '2026-11-20', author }));
    expect(failed).to.include({ kind: 'contact-attempt', outcome: 'unsuccessful', method: 'phone', date: '2026-11-20', author: 'Sarah Whitfield' });
    expect(parseNote(note({ heading: HEADING.contactMade('Text message (SMS)'), time: '2026-11-21', author }))).to.include({ outcome: 'successful', method: 'sms' });
    expect(parseNote(note({ heading: HEADING.session('Accompanied to an activity', 90), time: '2026-11-22', author }))).to.include({ kind: 'session', method: 'accompanied', durationMinutes: 90 });
    expect(parseNote({ text: 'Link worker assigned.' })?.kind).to.equal('decision');
  });
});

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
