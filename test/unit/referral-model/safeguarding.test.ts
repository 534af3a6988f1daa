import { expect } from 'chai';
import type { Communication, ServiceRequest } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM, PROFILE } from '../../../src/referral-model/codes.js';
import { acknowledgementIdentifier, buildAcknowledgement, concernOrigin, safeguardingConcerns } from '../../../src/referral-model/safeguarding.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { orderForGp, summariseReferral } from '../../../src/referrals/referral-view.js';
import { composeMessageBack, messagePayloads } from '../../../src/message-back/index.js';

const P = EXTENSION_PART.safeguardingConcern;
const flagged = (detail?: string, flag = true) => ({
  url: EXTENSION.safeguardingConcern,
  extension: [{ url: P.flag, valueBoolean: flag }, ...(detail ? [{ url: P.detail, valueString: detail }] : [])],
});
const sr = (over: Partial<ServiceRequest> = {}): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  id: 'sr-1',
  identifier: [{ system: IDENTIFIER_SYSTEM.referral, value: 'SPL-AAAA-BBBB' }],
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  authoredOn: '2026-11-01T10:00:00Z',
  requester: { reference: 'Practitioner/gp-1', display: 'Dr A' },
  performer: [{ display: 'Fernbridge Community Connect' }],
  priority: 'routine',
  ...over,
});
const concernMessage = (id: string, basedOn = 'ServiceRequest/sr-1'): Communication => ({
  resourceType: 'Communication',
  id,
  status: 'completed',
  basedOn: [{ reference: basedOn }],
  sent: '2026-11-05T09:00:00Z',
  sender: { display: 'Fernbridge Community Connect' },
  topic: { coding: [{ system: CODE_SYSTEM.communicationTopic, code: 'safeguarding-concern' }] },
  payload: [{ contentString: 'Safeguarding concern raised' }, { contentString: 'Bruising she would not explain.' }],
});
describe('safeguarding concerns and their acknowledgement', () => {
  it('finds none on a referral without a concern, and none for a flag explicitly false', () => {
    expect(safeguardingConcerns(sr(), [])).to.deep.equal([]);
    expect(safeguardingConcerns(sr({ extension: [flagged('x', false)] }), [])).to.deep.equal([]);
  });

  it("lists the referrer's concern and the link worker's, oldest first, with who raised each", () => {
    const list = safeguardingConcerns(sr({ extension: [flagged('Lives with an abusive partner')] }), [concernMessage('c1'), concernMessage('elsewhere', 'ServiceRequest/other')]);
    expect(list.map((c) => [c.key, c.source, c.raisedBy, c.detail])).to.deep.equal([
      ['ServiceRequest/sr-1', 'referrer', 'Dr A', 'Lives with an abusive partner'],
      ['Communication/c1', 'link-worker', 'Fernbridge Community Connect', 'Safeguarding concern raised\nBruising she would not explain.'],
    ]);
    expect(list.every((c) => !c.acknowledged)).to.equal(true);
    expect(concernOrigin(list[0]!)).to.equal('Flagged at referral by Dr A');
    expect(concernOrigin(list[1]!)).to.equal('Raised by Fernbridge Community Connect');
  });

  it("a concern in the reconciler's message back is the link worker's words (its safety-alerts lines), not the whole message", () => {
    const message = composeMessageBack({
      topic: 'safeguarding-concern', from: 'Riverside Community Links', sent: '2026-11-05T09:00:00Z', safeguardingDetail: 'Bruising she would not explain.',
      referral: { requester: 'Dr A', authoredOn: '2026-11-01T10:00:00Z', needs: ['Loneliness'], priority: 'routine' },
    });
    const [concern] = safeguardingConcerns(sr(), [{ ...concernMessage('c1'), payload: messagePayloads(message) }]);
    expect(concern!.detail).to.equal('Bruising she would not explain.');
  });

  it('matches each acknowledgement to its own concern: inResponseTo the message, or none for the referrer\'s', () => {
    const message = concernMessage('c1');
    const gpAck = buildAcknowledgement({ concern: { key: 'Communication/c1', referral: 'sr-1', source: 'link-worker' }, patientId: 'p1', clinician: { reference: 'Practitioner/gp-2', display: 'Dr B' }, service: 'Fernbridge Community Connect', at: new Date('2026-11-05T10:00:00Z') });
    const withOne = safeguardingConcerns(sr({ extension: [flagged('x')] }), [message, { ...gpAck, id: 'a1' }]);
    expect(withOne.find((c) => c.source === 'link-worker')!.acknowledged).to.deep.equal({ by: 'Dr B', at: '2026-11-05T10:00:00.000Z' });
    expect(withOne.find((c) => c.source === 'referrer')!.acknowledged, "the message's acknowledgement is not the referrer's").to.equal(undefined);

    const ownAck = buildAcknowledgement({ concern: { key: 'ServiceRequest/sr-1', referral: 'sr-1', source: 'referrer' }, patientId: 'p1', clinician: { reference: 'Practitioner/gp-3' }, at: new Date('2026-11-06T10:00:00Z') });
    expect(ownAck.inResponseTo).to.equal(undefined);
    const both = safeguardingConcerns(sr({ extension: [flagged('x')] }), [message, { ...gpAck, id: 'a1' }, { ...ownAck, id: 'a2' }]);
    expect(both.every((c) => c.acknowledged)).to.equal(true);
    // An acknowledgement of another message does not count.
    const other: Communication = { ...gpAck, id: 'x', inResponseTo: [{ reference: 'Communication/other' }] };
    expect(safeguardingConcerns(sr(), [message, other])[0]!.acknowledged).to.equal(undefined);
  });

  it('builds an acknowledgement that passes SPLinkSafeguardingAcknowledgement, keyed once per concern', () => {
    const a = buildAcknowledgement({ concern: { key: 'Communication/c1', referral: 'sr-1', source: 'link-worker' }, patientId: 'p1', clinician: { reference: 'Practitioner/gp-2', display: 'Dr B' }, service: 'Fernbridge Community Connect', at: new Date('2026-11-05T10:00:00Z') });
    expect(a.meta?.profile).to.deep.equal([PROFILE.safeguardingAcknowledgement]);
    expect(a.identifier).to.deep.equal([{ system: IDENTIFIER_SYSTEM.safeguardingAcknowledgement, value: acknowledgementIdentifier('Communication/c1') }]);
    expect(acknowledgementIdentifier('Communication/c1')).to.not.equal(acknowledgementIdentifier('ServiceRequest/c1'));
    expect(a).to.deep.include({ sender: { reference: 'Practitioner/gp-2', display: 'Dr B' }, sent: '2026-11-05T10:00:00.000Z', inResponseTo: [{ reference: 'Communication/c1' }] });
    expect(() => validateForWrite(a)).to.not.throw();
    // A sender that is not a clinician is refused by the profile.
    expect(() => validateForWrite({ ...a, sender: { reference: 'Organization/lw' } })).to.throw();
  });

  it('puts a referral with an unacknowledged concern first for the GP, with raised priority, until acknowledged', () => {
    const quiet = summariseReferral(sr({ id: 'sr-2', authoredOn: '2026-11-04T10:00:00Z' }), { observations: [], communications: [] }, IDENTIFIER_SYSTEM.referral, { now: new Date('2026-11-05T12:00:00Z') });
    const raised = summariseReferral(sr(), { observations: [], communications: [concernMessage('c1')] }, IDENTIFIER_SYSTEM.referral, { now: new Date('2026-11-05T12:00:00Z') });
    expect(raised).to.include({ group: 'attention', urgency: 'urgent', attention: 'Safeguarding concern to acknowledge' });
    expect(quiet).to.include({ group: 'open', urgency: 'routine' });
    expect(orderForGp([quiet, raised]).map((r) => r.id)).to.deep.equal(['sr-1', 'sr-2']);

    const a = buildAcknowledgement({ concern: { key: 'Communication/c1', referral: 'sr-1', source: 'link-worker' }, patientId: 'p1', clinician: { reference: 'Practitioner/gp-2', display: 'Dr B' }, at: new Date('2026-11-05T10:00:00Z') });
    const done = summariseReferral(sr(), { observations: [], communications: [concernMessage('c1'), { ...a, id: 'a1' }] }, IDENTIFIER_SYSTEM.referral, { now: new Date('2026-11-05T12:00:00Z') });
    expect(done).to.include({ group: 'open', urgency: 'urgent' });
    expect(done.safeguarding[0]!.acknowledged?.by).to.equal('Dr B');
    expect(done.timeline.map((t) => t.text)).to.include('Safeguarding concern acknowledged by Dr B');
    expect(done.timeline.filter((t) => t.text.startsWith('Message from')), 'the acknowledgement is not shown as a message from the service').to.deep.equal([]);
  });
});
