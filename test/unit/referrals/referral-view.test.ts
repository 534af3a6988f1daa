import { expect } from 'chai';
import type { Communication, HealthcareService, Observation, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { searchDirectory } from '../../../src/referrals/directory.js';
import { resolveService } from '../../../src/referrals/resolve-service.js';
import { orderForGp, outcomeSeries, summariseReferral } from '../../../src/referrals/referral-view.js';
import { newReferralId, REFERRAL_ID_PATTERN } from '../../../src/referrals/referral-id.js';
import { SpLinkError } from '../../../src/errors.js';

const sr = (over: Partial<ServiceRequest> = {}): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  id: 'sr-1',
  meta: { versionId: '2' },
  identifier: [{ system: IDENTIFIER_SYSTEM.referral, value: 'SPL-AAAA-BBBB' }],
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  authoredOn: '2026-11-01T10:00:00Z',
  requester: { reference: 'Practitioner/gp-1', display: 'Dr A' },
  performer: [{ reference: 'http://lw/HealthcareService/hs', display: 'Walking group' }],
  reasonCode: [{ coding: [{ system: CODE_SYSTEM.need, code: 'loneliness', display: 'Loneliness' }] }],
  priority: 'urgent',
  ...over,
});
const obs = (instrument: string, at: string, value: number, basedOn = 'ServiceRequest/sr-1'): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  basedOn: [{ reference: basedOn }],
  code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: instrument }] },
  effectiveDateTime: at,
  valueInteger: value,
});

describe('referral view (status, timeline, outcomes)', () => {
  it('summarises a referral with outcomes first and last, messages and the Task detail', () => {
    const task: Task = {
      resourceType: 'Task', status: 'completed', intent: 'order', lastModified: '2026-11-20T10:00:00Z',
      businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: 'support-completed' }] },
    };
    const comm: Communication = {
      resourceType: 'Communication', status: 'completed', basedOn: [{ reference: 'ServiceRequest/sr-1' }], sent: '2026-11-21T09:00:00Z',
      topic: { coding: [{ system: CODE_SYSTEM.communicationTopic, code: 'referral-completed' }] }, payload: [{ contentString: 'Five sessions.' }],
    };
    const s = summariseReferral(sr({ status: 'completed' }), {
      task,
      observations: [obs('swemwbs', '2026-11-15T00:00:00Z', 24), obs('swemwbs', '2026-11-02T00:00:00Z', 17), obs('swemwbs', '2026-11-03T00:00:00Z', 30, 'ServiceRequest/other')],
      communications: [comm],
    }, IDENTIFIER_SYSTEM.referral);
    expect(s).to.include({ id: 'sr-1', referralId: 'SPL-AAAA-BBBB', version: '2', service: 'Walking group', urgency: 'soon', cancellable: false });
    expect(s.status.label).to.equal('Completed');
    expect(s.detail).to.equal('Support completed');
    expect(s.outcomes).to.have.length(1);
    expect(s.outcomes[0]!.points.map((p) => p.value)).to.deep.equal([17, 24]);
    expect(s.outcomes[0]).to.include({ min: 7, max: 35, higherIsBetter: true });
    expect(s.timeline.map((t) => t.text)[0]).to.equal('Referral sent by Dr A');
    // The timeline names the message; the message itself is read back in full, as the GP reads it.
    expect(s.timeline.map((t) => t.text)).to.include('Social prescribing completed: message back to GP');
    expect(s.messages).to.deep.equal([{ title: 'Social prescribing completed: message back to GP', sentOn: '21 Nov 2026', sections: [{ heading: '', lines: ['Five sessions.'] }] }]);
  });

  it('says who made a referral the practice did not: self, or the agency by name; the GP cannot cancel it', () => {
    const gp = summariseReferral(sr(), { observations: [], communications: [] }, IDENTIFIER_SYSTEM.referral);
    expect(gp.source).to.equal(undefined);
    expect(gp.cancellable).to.equal(true);
    const self = summariseReferral(sr({ requester: { reference: 'Patient/p1', display: 'Zoë O’Brien (self-referral)' }, extension: [{ url: EXTENSION.referralSource, valueCode: 'self' }] }), { observations: [], communications: [] }, IDENTIFIER_SYSTEM.referral);
    expect(self.source).to.equal('Self-referral');
    expect(self.cancellable).to.equal(false);
    const agency = summariseReferral(sr({ requester: { type: 'Organization', display: 'Fernbridge Housing' }, extension: [{ url: EXTENSION.referralSource, valueCode: 'agency' }] }), { observations: [], communications: [] }, IDENTIFIER_SYSTEM.referral);
    expect(agency.source).to.equal('Agency: Fernbridge Housing');
  });

  it('reads scores from components and flags lower-is-better scales', () => {
    const ons4: Observation = {
      resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'ons4' }] }, effectiveDateTime: '2026-11-01',
      component: [{ code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'ons4-anxiety' }] }, valueInteger: 6 }],
    };
    const series = outcomeSeries([ons4, obs('ucla3', '2026-11-01', 8)]);
    expect(series.map((s) => [s.key, s.higherIsBetter])).to.deep.equal([['ons4:ons4-anxiety', false], ['ucla3', false]]);
  });

  it('shows corrected scores as corrected and leaves out scores recorded in error', () => {
    const series = outcomeSeries([
      obs('swemwbs', '2026-10-01', 17),
      { ...obs('swemwbs', '2026-10-15', 20), status: 'entered-in-error' },
      { ...obs('swemwbs', '2026-11-01', 24), status: 'corrected' },
    ]);
    expect(series[0]!.points).to.deep.equal([{ at: '2026-10-01', value: 17 }, { at: '2026-11-01', value: 24, corrected: true }]);
  });

  it('keeps every status with its time from the Task history, oldest first', () => {
    const v = (n: number, status: Task['status'], business: string, at: string): Task => ({
      resourceType: 'Task', id: 't1', meta: { versionId: String(n), lastUpdated: at }, status, intent: 'order', lastModified: at,
      businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: business }] },
    });
    const history = [
      v(4, 'in-progress', 'sessions-ongoing', '2026-11-06T11:00:00Z'),
      v(1, 'requested', 'awaiting-contact', '2026-11-01T10:00:00Z'),
      v(3, 'in-progress', 'first-contact-made', '2026-11-03T09:00:00Z'),
      v(2, 'accepted', 'awaiting-contact', '2026-11-02T15:00:00Z'),
      v(5, 'in-progress', 'sessions-ongoing', '2026-11-07T11:00:00Z'),
    ];
    const s = summariseReferral(sr(), { task: history[0], observations: [], communications: [] }, IDENTIFIER_SYSTEM.referral, { taskHistory: history, now: new Date('2026-11-08T00:00:00Z') });
    expect(s.timeline.map((t) => [t.at, t.text])).to.deep.equal([
      ['2026-11-01T10:00:00Z', 'Referral sent by Dr A'],
      ['2026-11-02T15:00:00Z', 'Accepted: Awaiting first contact'],
      ['2026-11-03T09:00:00Z', 'Working with patient: First contact made'],
      ['2026-11-06T11:00:00Z', 'Working with patient: Sessions ongoing'],
    ]);
  });

  it('orders date-only scores by their day, after the timed events of that day (Europe/London)', () => {
    const s = summariseReferral(sr({ authoredOn: '2026-11-01T10:00:00Z' }), {
      observations: [obs('swemwbs', '2026-11-01', 17), obs('swemwbs', '2026-10-31', 15)],
      communications: [{
        resourceType: 'Communication', status: 'completed', basedOn: [{ reference: 'ServiceRequest/sr-1' }], sent: '2026-10-31T23:30:00Z',
        topic: { coding: [{ system: CODE_SYSTEM.communicationTopic, code: 'referral-declined' }] },
      }],
    }, IDENTIFIER_SYSTEM.referral);
    // 23:30 UTC on 31 October is 31 October in London (GMT); 10:00 UTC on 1 November is that morning.
    expect(s.timeline.map((t) => t.at)).to.deep.equal(['2026-10-31T23:30:00Z', '2026-10-31', '2026-11-01T10:00:00Z', '2026-11-01']);
    const summer = summariseReferral(sr({ authoredOn: '2026-06-30T23:30:00Z' }), { observations: [obs('swemwbs', '2026-06-30', 15)], communications: [] }, IDENTIFIER_SYSTEM.referral);
    // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): the score of 30 June comes first.
    expect(summer.timeline.map((t) => t.at)).to.deep.equal(['2026-06-30', '2026-06-30T23:30:00Z']);
  });

  it('puts what needs the GP first: not accepted in time, recently declined; then open; then ended', () => {
    const now = new Date('2026-11-10T12:00:00Z');
    const mk = (id: string, over: Partial<ServiceRequest>, task?: Task) =>
      summariseReferral(sr({ id, ...over }), { ...(task ? { task } : {}), observations: [], communications: [] }, IDENTIFIER_SYSTEM.referral, { now });
    const t = (status: Task['status'], lastModified = '2026-11-09T10:00:00Z'): Task => ({ resourceType: 'Task', status, intent: 'order', lastModified });
    const overdueUrgent = mk('late', { priority: 'asap', authoredOn: '2026-11-09T10:00:00Z' }, t('requested'));
    const freshRoutine = mk('fresh', { priority: 'routine', authoredOn: '2026-11-09T10:00:00Z' }, t('requested'));
    const declined = mk('declined', { status: 'revoked', authoredOn: '2026-11-01T10:00:00Z' }, t('rejected'));
    const oldDeclined = mk('old', { status: 'revoked', authoredOn: '2026-08-01T10:00:00Z' }, t('rejected', '2026-08-05T10:00:00Z'));
    const done = mk('done', { status: 'completed', authoredOn: '2026-10-01T10:00:00Z' }, t('completed'));
    expect(overdueUrgent).to.include({ group: 'attention', open: true });
    expect(overdueUrgent.attention).to.contain('Not accepted within 1 day');
    expect(freshRoutine).to.include({ group: 'open', open: true });
    expect(declined).to.include({ group: 'attention', open: false });
    expect(oldDeclined.group).to.equal('closed');
    expect(orderForGp([done, oldDeclined, freshRoutine, declined, overdueUrgent]).map((s) => s.id)).to.deep.equal(['late', 'declined', 'fresh', 'done', 'old']);
    expect(freshRoutine.needCodes).to.deep.equal(['loneliness']);
  });

  it('explains a GP cancel from the status-reason extension', () => {
    const revoked = sr({ status: 'revoked', extension: [{ url: EXTENSION.statusReason, valueCodeableConcept: { coding: [{ system: CODE_SYSTEM.statusReason, code: 'duplicate-referral' }] } }] });
    const s = summariseReferral(revoked, { observations: [], communications: [] }, IDENTIFIER_SYSTEM.referral);
    expect(s.status.label).to.equal('Cancelled');
    expect(s.detail).to.equal('Duplicate referral');
  });
});

describe('directory and service choice', () => {
  const P = EXTENSION_PART.serviceCapacity;
  const hs = (id: string, needs: string[], accepting: boolean, wait: number, type = 'befriending', extra: Partial<HealthcareService> = {}): HealthcareService => ({
    resourceType: 'HealthcareService', id, name: `Service ${id}`, active: true,
    providedBy: { reference: 'Organization/prov', display: 'Provider' },
    category: needs.map((n) => ({ coding: [{ system: CODE_SYSTEM.need, code: n }] })),
    type: [{ coding: [{ system: CODE_SYSTEM.serviceType, code: type }] }],
    extension: [{ url: EXTENSION.serviceCapacity, extension: [{ url: P.acceptingReferrals, valueBoolean: accepting }, { url: P.waitDays, valueInteger: wait }] }],
    ...extra,
  });
  const services = [
    hs('a', ['loneliness'], true, 30),
    hs('b', ['loneliness', 'social-isolation'], true, 10, 'community-group', { location: [{ display: 'Fernbridge library' }] }),
    hs('c', ['loneliness'], false, 1),
    hs('d', ['housing'], true, 2),
    hs('lw', ['loneliness'], true, 7, 'link-worker', { providedBy: { reference: 'Organization/lw-org', display: 'Community Links' } }),
  ];

  it('filters by need and orders by match, capacity, then wait', () => {
    expect(searchDirectory(services, { needs: ['loneliness', 'social-isolation'] }).map((e) => e.id)).to.deep.equal(['b', 'lw', 'a', 'c']);
    expect(searchDirectory(services, { locality: 'fernbridge' }).map((e) => e.id)).to.deep.equal(['b']);
    expect(searchDirectory(services, { text: 'LIBRARY service' }).map((e) => e.id)).to.deep.equal(['b']);
    expect(searchDirectory(services, { needs: ['housing'] })[0]).to.include({ acceptingReferrals: true, waitDays: 2 });
  });

  it('resolves the choice from the directory, never from the browser: via the link-worker service, the service as the GP suggestion', () => {
    const ep = { id: 'lw', fhirBase: 'http://lw/fhir', name: 'LW' };
    const d = resolveService({ kind: 'directory', healthcareServiceId: 'b' }, services, ep);
    expect(d).to.deep.include({
      serviceType: 'community-group',
      performer: { reference: 'http://lw/fhir/Organization/lw-org', display: 'Community Links' },
      suggested: { reference: 'http://lw/fhir/HealthcareService/b', display: 'Service b' },
      owner: { reference: 'Organization/lw-org', display: 'Community Links' },
    });
    expect(d.route).to.include({ kind: 'link-worker', endpointId: 'lw', contact: 'Community Links' });
    const own = resolveService({ kind: 'directory', healthcareServiceId: 'lw' }, services, ep);
    expect(own.performer.reference).to.equal('http://lw/fhir/HealthcareService/lw');
    expect(own.suggested).to.equal(undefined);
    const lw = resolveService({ kind: 'link-worker-decides' }, services, ep);
    expect(lw.owner).to.deep.equal({ reference: 'Organization/lw-org', display: 'Community Links' });
    expect(lw.performer.reference).to.equal('http://lw/fhir/Organization/lw-org');
    expect(resolveService({ kind: 'link-worker-decides' }, services, { ...ep, organizationOdsCode: 'Y1' }).owner.identifier?.value).to.equal('Y1');
    expect(() => resolveService({ kind: 'directory', healthcareServiceId: 'zzz' }, services, ep)).to.throw(SpLinkError);
  });

  it('refuses a service that is not taking new referrals, naming it', () => {
    const ep = { id: 'lw', fhirBase: 'http://lw/fhir', name: 'LW' };
    let err: SpLinkError | undefined;
    try {
      resolveService({ kind: 'directory', healthcareServiceId: 'c' }, services, ep);
    } catch (e) {
      err = e as SpLinkError;
    }
    expect(err?.code).to.equal('ERR_VALIDATION');
    expect(err?.fields?.[0]).to.deep.include({ path: 'service.healthcareServiceId' });
    expect(err?.fields?.[0]?.message).to.contain('Service c is not taking new referrals');
  });

  it('makes readable, unique-enough referral ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newReferralId()));
    expect(ids.size).to.equal(2000);
    for (const id of ids) expect(id).to.match(REFERRAL_ID_PATTERN);
    expect(newReferralId(() => new Uint8Array(5))).to.equal('SPL-0000-0000');
  });
});
