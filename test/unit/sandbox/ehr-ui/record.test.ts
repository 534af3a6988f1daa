import { expect } from 'chai';
import type { Resource } from '@medplum/fhirtypes';
import { ageOn, formatNhsNumber, gpDate, recordView, searchPatients } from '../../../../src/sandbox/ehr-ui/record.js';
import { html } from '../../../../src/sandbox/ehr-ui/html.js';
import { renderEhrPage } from '../../../../src/sandbox/ehr-ui/page.js';
import { CODE_SYSTEM } from '../../../../src/referral-model/codes.js';
import { composeMessageBack, messageNarrative, messagePayloads, renderMessageBackXhtml } from '../../../../src/message-back/index.js';
import { RAW_ID } from '../../../helpers/readable-text.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const patients = [
  { resourceType: 'Patient', id: 'p1', name: [{ given: ['Margaret'], family: 'Ellis' }], birthDate: '1941-03-14', identifier: [{ system: NHS, value: '9990001013' }] },
  { resourceType: 'Patient', id: 'p2', name: [{ given: ['David'], family: 'Morgan' }], birthDate: '1958-07-02', identifier: [{ system: NHS, value: '9990001021' }] },
] as Resource[];

describe('sandbox EHR record view', () => {
  it('formats NHS numbers 3-3-4 and GP-style dates', () => {
    expect(formatNhsNumber('9990001013')).to.equal('999 000 1013');
    expect(gpDate('1941-03-14')).to.equal('14-Mar-1941');
    expect(gpDate('2026-11-04T09:30:00Z')).to.equal('04-Nov-2026');
  });

  it('computes age in whole years, birthday-aware', () => {
    expect(ageOn('1941-03-14', new Date('2026-03-13T12:00:00Z'))).to.equal(84);
    expect(ageOn('1941-03-14', new Date('2026-03-14T00:00:00Z'))).to.equal(85);
    expect(ageOn(undefined, new Date())).to.equal(undefined);
  });

  it('searches by surname, "surname, given" and NHS number digits', () => {
    const now = new Date('2026-11-24T00:00:00Z');
    expect(searchPatients(patients, '', now).map((p) => p.id)).to.deep.equal(['p1', 'p2']);
    expect(searchPatients(patients, 'morg', now).map((p) => p.id)).to.deep.equal(['p2']);
    expect(searchPatients(patients, 'ellis, marg', now).map((p) => p.id)).to.deep.equal(['p1']);
    expect(searchPatients(patients, '999 000 1021', now).map((p) => p.id)).to.deep.equal(['p2']);
    expect(searchPatients(patients, 'zzz', now)).to.deep.equal([]);
  });

  it("collects only the patient's own problems, referrals, outcomes and messages", () => {
    const all: Record<string, Resource[]> = {
      Condition: [
        { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' }, code: { text: 'Loneliness' }, clinicalStatus: { coding: [{ code: 'active' }] } },
        { resourceType: 'Condition', id: 'c2', subject: { reference: 'Patient/p2' }, code: { text: 'Debt' } },
      ] as Resource[],
      ServiceRequest: [
        { resourceType: 'ServiceRequest', id: 's1', status: 'active', intent: 'order', subject: { reference: 'http://x/fhir/Patient/p1' }, authoredOn: '2026-11-01' },
      ] as Resource[],
      Observation: [{ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'SWEMWBS' }, valueInteger: 21, subject: { reference: 'Patient/p1' } }] as Resource[],
      Flag: [{ resourceType: 'Flag', id: 'f1', status: 'active', code: { text: 'Safeguarding concern' }, subject: { reference: 'Patient/p1' } }] as Resource[],
    };
    const view = recordView(patients[0] as never, (t) => all[t] ?? [], new Date('2026-11-24T00:00:00Z'));
    expect(view.problems).to.deep.equal(['Loneliness']);
    expect(view.referrals.map((r) => r.id)).to.deep.equal(['s1']);
    expect(view.outcomes).to.deep.include({ id: 'o1', measure: 'SWEMWBS', value: '21', date: '' } as never);
    expect(view.messages.map((m) => m.kind)).to.deep.equal(['Alert']);
  });

  it('shows a message from social prescribing as the GP app does: headed sections, escaped, no ids', () => {
    const message = composeMessageBack({
      topic: 'referral-declined', from: 'Fernbridge Community Connect', sent: '2026-11-20T10:00:00Z', reason: 'Person declined <b>social</b> prescribing',
      referral: { requester: 'Dr A', authoredOn: '2026-11-02T09:00:00Z', needs: ['Loneliness'], priority: 'routine' },
    });
    const comm = {
      resourceType: 'Communication', id: 'm1', status: 'completed', subject: { reference: 'Patient/p1' }, sent: '2026-11-20T10:00:00Z',
      topic: { coding: [{ system: CODE_SYSTEM.communicationTopic, code: 'referral-declined' }] }, sender: { display: 'Fernbridge Community Connect' },
      text: messageNarrative(message), payload: [{ contentReference: { reference: 'Patient/p1' } }, ...messagePayloads(message)],
    } as Resource;
    const view = recordView(patients[0] as never, (t) => (t === 'Communication' ? [comm] : []), new Date('2026-11-24T00:00:00Z'));
    expect(view.messages[0]!.message).to.deep.equal(message);
    const page = renderEhrPage({ clinicians: [], clinician: { id: 'gp-1', name: 'Dr A' }, query: '', patients: [], record: view });
    const cell = /<div class="sbx-message" data-testid="message-back">(.*?<\/div>)<\/div>/.exec(page)?.[1];
    expect(cell).to.equal(renderMessageBackXhtml(message, { headingLevel: 4 }));
    expect(cell).to.contain('<h4>Referral declined</h4>').and.contain('<h5>Referral details</h5>').and.contain('<h5>What happens next</h5>');
    expect(cell).to.contain('Reason: Person declined &#60;b&#62;social&#60;/b&#62; prescribing');
    expect(cell).not.to.match(RAW_ID);
  });

  it('escapes interpolated values in html templates', () => {
    expect(html`<p>${'<script>"x"</script>'}</p>`.value).to.equal('<p>&lt;script&gt;&quot;x&quot;&lt;/script&gt;</p>');
    expect(html`<ul>${['a', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.value).to.equal('<ul><li>a</li><li>b</li></ul>');
  });
});
