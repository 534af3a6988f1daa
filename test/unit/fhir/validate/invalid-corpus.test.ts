import { expect } from 'chai';
import { OperationOutcomeError } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { EXTENSION, PROFILE } from '../../../../src/referral-model/codes.js';
import { spLinkDefinitions } from '../../../../src/fhir/validate/definitions.js';
import { ResourceValidationError, validateForWrite, validateResourceAgainst } from '../../../../src/fhir/validate/index.js';

// Invalid resources must be rejected with messages a developer can act on: each case asserts the text.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function example(id: string): Json {
  const found = spLinkDefinitions().examples.find((e) => e.id === id);
  if (!found) throw new Error(`no example ${id}`);
  return structuredClone(found) as Json;
}

function rejection(resource: Json, validate: (r: Resource) => unknown = validateForWrite): ResourceValidationError {
  try {
    validate(resource as Resource);
  } catch (err) {
    expect(err).to.be.instanceOf(ResourceValidationError);
    return err as ResourceValidationError;
  }
  throw new Error('expected the resource to be rejected');
}

function expectRejected(resource: Json, ...patterns: RegExp[]): ResourceValidationError {
  const err = rejection(resource);
  for (const p of patterns) expect(err.messages.some((m) => p.test(m)), `${p} in:\n${err.messages.join('\n')}`).to.equal(true);
  return err;
}

const ext = (r: Json, url: string): Json => (r.extension as Json[]).find((e) => e.url === url)!;
const sub = (e: Json, url: string): Json => (e.extension as Json[]).find((x) => x.url === url)!;

describe('fhir/validate: invalid corpus', () => {
  describe('ValueSet bindings', () => {
    it('rejects a need code that is not in the SP Link needs ValueSet', () => {
      const sr = example('referral-example');
      sr.reasonCode[0].coding[0].code = 'lonely';
      expectRejected(sr, /ServiceRequest\.reasonCode\[0\]: code https:\/\/fhir\.sp-link\.example\.org\/CodeSystem\/need#lonely is not in ValueSet "SP Link needs and concerns".*expected one of loneliness, social-isolation/);
    });

    it('rejects a reason with text only (a required binding needs a coded value)', () => {
      const sr = example('referral-example');
      sr.reasonCode[1] = { text: 'money' };
      expectRejected(sr, /reasonCode\[1\]: needs a code from ValueSet "SP Link needs and concerns".*got no coding/);
    });

    it('rejects an unknown Task businessStatus', () => {
      const task = example('wf-task-in-progress');
      task.businessStatus.coding[0].code = 'chatting';
      expectRejected(task, /Task\.businessStatus: code .*business-status#chatting is not in ValueSet "SP Link referral Task business status"/);
    });

    it('rejects a base FHIR status outside its required ValueSet', () => {
      const task = example('task-example');
      task.status = 'done';
      expectRejected(task, /Task\.status: code "done" is not in ValueSet "TaskStatus"/);
    });

    it('rejects a contact method inside the contact-preference extension', () => {
      const sr = example('referral-example');
      sub(ext(sr, EXTENSION.contactPreference), 'method').valueCode = 'pigeon';
      expectRejected(sr, /code "pigeon" is not in ValueSet "SP Link contact methods".*in extension "Contact preference"/);
    });

    it('rejects a referral without the social prescribing SNOMED CT category', () => {
      const sr = example('referral-example');
      sr.category[0].coding[0].code = '306206005';
      expectRejected(sr, /ServiceRequest\.category: socialPrescribing is required \(1\.\.1\) but missing/);
    });

    it('rejects a Provenance activity outside create/revise', () => {
      const prov = example('wf-provenance-completed');
      prov.activity.coding[0].code = 'DELETE';
      expectRejected(prov, /Provenance\.activity: code .*v3-DataOperation#DELETE is not in ValueSet "SP Link Provenance activities"/);
    });
  });

  describe('consent and other extensions', () => {
    it('rejects a referral without consent', () => {
      const sr = example('referral-example');
      sr.extension = (sr.extension as Json[]).filter((e) => e.url !== EXTENSION.consentGiven);
      const err = expectRejected(sr, /ServiceRequest\.extension: consentGiven \(https:\/\/fhir\.sp-link\.example\.org\/StructureDefinition\/consent-given\) is required \(1\.\.1\) but missing/);
      expect(err.message).to.match(/^ServiceRequest does not conform to https:\/\/fhir\.sp-link\.example\.org\/StructureDefinition\/sp-link-referral: /);
    });

    it('rejects consent without who recorded it', () => {
      const sr = example('referral-example');
      const consent = ext(sr, EXTENSION.consentGiven);
      consent.extension = (consent.extension as Json[]).filter((e) => e.url !== 'recorder');
      expectRejected(sr, /recorder is required \(1\.\.1\) but missing \(in extension "Consent given"\)/);
    });

    it('rejects an extension value of the wrong type', () => {
      const sr = example('referral-example');
      const date = sub(ext(sr, EXTENSION.consentGiven), 'date');
      date.valueString = 'last Tuesday';
      delete date.valueDateTime;
      expectRejected(sr, /extension\[0\]\.extension\[0\]\.valueString: valueString is not allowed here; use valueDateTime \(in extension "Consent given"\)/);
    });

    it('rejects a reference of the wrong type inside an extension', () => {
      const sr = example('referral-example');
      sub(ext(sr, EXTENSION.consentGiven), 'recorder').valueReference = { reference: 'Device/d-1' };
      expectRejected(sr, /reference "Device\/d-1" points to a Device, but this element only allows Reference\(Practitioner \| PractitionerRole \| Patient \| RelatedPerson\)/);
    });

    it('rejects an unknown SP Link extension URL', () => {
      const sr = example('referral-example');
      sr.extension.push({ url: 'https://fhir.sp-link.example.org/StructureDefinition/consent', valueBoolean: true });
      expectRejected(sr, /unknown SP Link extension "https:\/\/fhir\.sp-link\.example\.org\/StructureDefinition\/consent"/);
    });

    it('rejects a value on a complex extension and an unknown sub-extension', () => {
      const sr = example('referral-example');
      const pref = ext(sr, EXTENSION.contactPreference);
      pref.valueString = 'phone';
      pref.extension.push({ url: 'safeTime', valueString: 'evenings' });
      expectRejected(
        sr,
        /extension "Contact preference" .* takes sub-extensions \(method, safeTimes, leaveMessage\), not valueString/,
        /unknown sub-extension "safeTime" in "Contact preference"; expected method, safeTimes, leaveMessage/,
      );
    });

    it('checks SP Link extensions on resources without an SP Link profile (HealthcareService capacity)', () => {
      const hs = example('hs-walking-group');
      const waitDays = sub(ext(hs, EXTENSION.serviceCapacity), 'waitDays');
      delete waitDays.valueInteger;
      waitDays.valueString = 'about a fortnight';
      expectRejected(hs, /HealthcareService\.extension\[0\]\.extension\[1\]\.valueString: valueString is not allowed here; use valueInteger \(in extension "Service capacity"\)/);
    });

    it('rejects a simple extension with sub-extensions instead of a value', () => {
      const sr = example('referral-example');
      const urgency = ext(sr, EXTENSION.referralUrgency);
      delete urgency.valueCode;
      urgency.extension = [{ url: 'level', valueCode: 'routine' }];
      expectRejected(sr, /extension "Referral urgency" .* takes a value, not sub-extensions/);
    });

    it('rejects a completion message whose referral details lost their PRSB section tag', () => {
      const comm = example('wf-communication-completed');
      for (const p of comm.payload as Json[]) if (p.extension[0].valueCoding.code === 'referral-details') delete p.extension;
      expectRejected(comm, /^Communication\.payload: the completion message to the GP must carry the PRSB sections .*; missing referral-details$/);
    });

    it('rejects a PRSB section tag with an unknown section code', () => {
      const comm = example('wf-communication-declined');
      comm.payload[0].extension[0].valueCoding.code = 'gossip';
      expectRejected(comm, /Communication\.payload\[0\]\.extension\[0\]\.valueCoding: code .*prsb-section#gossip is not in ValueSet "PRSB Social Prescribing Information Standard sections"/);
    });
  });

  describe('outcome scores', () => {
    it('rejects a SWEMWBS total above 35', () => {
      const obs = example('wf-outcome-swemwbs-final');
      obs.valueInteger = 36;
      expectRejected(obs, /Observation\.valueInteger: Short Warwick-Edinburgh Mental Wellbeing Scale \(SWEMWBS\) total: score 36 is out of range; allowed 7–35/);
    });

    it('rejects a UCLA-3 total below 3', () => {
      const obs = example('wf-outcome-ucla3-final');
      obs.valueInteger = 2;
      expectRejected(obs, /UCLA 3-item Loneliness Scale total: score 2 is out of range; allowed 3–9/);
    });

    it('rejects an ONS4 item above 10', () => {
      const obs = example('wf-outcome-ons4-final');
      obs.component[2].valueInteger = 11;
      expectRejected(obs, /Observation\.component\[2\]\.valueInteger: ONS4: happiness yesterday: score 11 is out of range; allowed 0–10/);
    });

    it('rejects a MYCaW component carrying an item of another instrument', () => {
      const obs = example('wf-outcome-mycaw-final');
      obs.component[1].code.coding[0].code = 'ons4-happiness';
      expectRejected(obs, /item ons4-happiness is not an item of Measure Yourself Concerns and Wellbeing \(MYCaW\); expected mycaw-concern-1, mycaw-concern-2, mycaw-wellbeing/);
    });

    it('rejects a total-scored instrument recorded without its total', () => {
      const obs = example('wf-outcome-swemwbs-final');
      delete obs.valueInteger;
      obs.component = [{ code: { coding: [{ system: 'https://fhir.sp-link.example.org/CodeSystem/outcome-instrument', code: 'ons4-anxiety' }] }, valueInteger: 3 }];
      expectRejected(obs, /needs the total score in valueInteger \(7–35\)/, /is scored as a total; it has no item components/);
    });

    it('rejects a score sent as a Quantity', () => {
      const obs = example('wf-outcome-swemwbs-final');
      delete obs.valueInteger;
      obs.valueQuantity = { value: 24 };
      expectRejected(obs, /Observation\.valueQuantity: valueQuantity is not allowed here; use valueInteger/);
    });

    it('rejects an unknown instrument code', () => {
      const obs = example('wf-outcome-swemwbs-final');
      obs.code.coding[0].code = 'wellbeing-star';
      expectRejected(obs, /Observation\.code: code .*outcome-instrument#wellbeing-star is not in ValueSet "SP Link outcome instruments"/);
    });
  });

  describe('references', () => {
    it('rejects a Task whose focus is not a ServiceRequest', () => {
      const task = example('task-example');
      task.focus = { reference: 'https://ehr.example.org/fhir/Patient/pat-1' };
      expectRejected(task, /Task\.focus: reference "https:\/\/ehr\.example\.org\/fhir\/Patient\/pat-1" points to a Patient, but this element only allows Reference\(ServiceRequest\)/);
    });

    it('rejects an outcome based on a Task instead of the referral', () => {
      const obs = example('wf-outcome-swemwbs-final');
      obs.basedOn = [{ reference: 'Task/lw-task-77/_history/5' }];
      expectRejected(obs, /Observation\.basedOn\[0\]: reference "Task\/lw-task-77\/_history\/5" points to a Task, but this element only allows Reference\(ServiceRequest\)/);
    });

    it('rejects a reference whose type contradicts its URL', () => {
      const task = example('task-example');
      task.focus = { reference: 'https://ehr.example.org/fhir/ServiceRequest/1', type: 'Patient' };
      expectRejected(task, /Task\.focus: reference "https:\/\/ehr\.example\.org\/fhir\/ServiceRequest\/1" is a ServiceRequest but its type says Patient/);
    });

    it('checks urn:uuid references by their type', () => {
      const task = example('task-example');
      task.focus = { reference: 'urn:uuid:5b8a7c1e-3f0d-4a9e-8d3c-2a1b0c9d8e7f', type: 'Observation' };
      expectRejected(task, /Task\.focus: reference "urn:uuid:5b8a7c1e-3f0d-4a9e-8d3c-2a1b0c9d8e7f" points to a Observation, but this element only allows Reference\(ServiceRequest\)/);
    });
  });

  describe('Task rules', () => {
    it('rejects a declined Task without a reason', () => {
      const task = example('wf-task-declined');
      delete task.statusReason;
      expectRejected(task, /^Task: Constraint spl-task-1 not met: A rejected, cancelled or failed Task says why in statusReason$/);
    });

    it('rejects an output of a kind SP Link does not define', () => {
      const task = example('wf-task-completed');
      task.output.push({ type: { text: 'photo' }, valueString: 'x' });
      expectRejected(task, /Task\.output\[\d+\]: does not match any allowed kind of output: outcome, summary, sessionsHeld, activityReferred/);
    });

    it('rejects an outcome output that is not a reference', () => {
      const task = example('wf-task-completed');
      task.output[0].valueString = 'SWEMWBS 17';
      delete task.output[0].valueReference;
      expectRejected(task, /Task\.output\[0\]\.valueString: valueString is not allowed here; use valueReference/);
    });

    it('rejects two sessions-held outputs', () => {
      const task = example('wf-task-completed');
      task.output.push(structuredClone(task.output.find((o: Json) => o.type.coding[0].code === 'sessions-held')));
      expectRejected(task, /Task\.output: sessionsHeld allows at most 1, found 2/);
    });
  });

  describe('patients, messages and profiles', () => {
    it('rejects an NHS number with a wrong check digit', () => {
      const task = example('task-example');
      task.for.identifier.value = '9000000008';
      expectRejected(task, /Task\.for\.identifier\.value: NHS number "9000000008" is not valid: it must be 10 digits with a correct Modulus 11 check digit/);
    });

    it('rejects a referral whose subject has no NHS number', () => {
      const sr = example('referral-example');
      delete sr.subject.identifier;
      expectRejected(sr, /^ServiceRequest\.subject: Constraint spl-nhs-number-1 not met: The patient reference carries the NHS number identifier$/);
    });

    it('rejects a completion message missing the PRSB outcomes section', () => {
      const comm = example('wf-communication-completed');
      comm.payload = (comm.payload as Json[]).filter((p) => p.extension[0].valueCoding.code !== 'outcomes');
      expectRejected(comm, /must carry the PRSB sections person-demographics, referral-details, support-offered, outcomes, plan-and-requested-actions; missing outcomes/);
    });

    it('rejects a revoked referral that does not say why', () => {
      const sr = example('wf-referral-cancelled');
      sr.extension = (sr.extension as Json[]).filter((e) => e.url !== EXTENSION.statusReason);
      expectRejected(sr, /^ServiceRequest: Constraint spl-sr-1 not met: A revoked referral says why in the status-reason extension$/);
    });

    it('rejects a Subscription that is not for Tasks', () => {
      const sub = example('subscription-example');
      sub.criteria = 'Observation?code=x';
      expectRejected(sub, /^Subscription: Constraint spl-sub-1 not met: SP Link subscribes to Task changes only$/);
    });

    it('rejects a missing required element', () => {
      const sr = example('referral-example');
      delete sr.code;
      expectRejected(sr, /ServiceRequest\.code: Missing required property/);
    });

    it('rejects a resource checked against a profile for another type', () => {
      const err = rejection(example('task-example'), (r) => validateResourceAgainst(r, PROFILE.referral));
      expect(err.messages[0]).to.match(/profile .*sp-link-referral is for ServiceRequest, not Task/);
    });

    it('rejects an unknown SP Link profile in meta.profile', () => {
      const sr = example('referral-example');
      sr.meta.profile = ['https://fhir.sp-link.example.org/StructureDefinition/sp-link-referal'];
      expectRejected(sr, /unknown SP Link profile https:\/\/fhir\.sp-link\.example\.org\/StructureDefinition\/sp-link-referal/);
    });

    it('rejects something that is not a FHIR resource', () => {
      expectRejected({ resourceType: 'Referral', id: 'x' }, /not a FHIR resource \(resourceType "Referral"\)/);
    });

    it('reports the failing entry of a Bundle by its path', () => {
      const obs = example('wf-outcome-swemwbs-final');
      obs.valueInteger = 99;
      const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: example('referral-example'), request: { method: 'POST', url: 'ServiceRequest' } }, { resource: obs, request: { method: 'POST', url: 'Observation' } }] };
      expectRejected(bundle, /^Bundle\.entry\[1\]\.resource\.Observation\.valueInteger: .*score 99 is out of range/);
    });

    it('carries an OperationOutcome and the stable error code', () => {
      const sr = example('referral-example');
      sr.reasonCode[0].coding[0].code = 'lonely';
      const err = rejection(sr);
      expect(err).to.be.instanceOf(OperationOutcomeError);
      expect(err.code).to.equal('ERR_FHIR_INVALID_RESOURCE');
      expect(err.profile).to.equal(PROFILE.referral);
      expect(err.outcome.resourceType).to.equal('OperationOutcome');
      expect(err.outcome.issue[0]).to.include({ severity: 'error', code: 'code-invalid' });
      expect(err.outcome.issue[0]!.expression).to.deep.equal(['ServiceRequest.reasonCode[0]']);
    });
  });
});
