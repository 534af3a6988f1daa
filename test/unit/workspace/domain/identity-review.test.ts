import { expect } from 'chai';
import { buildCommunityTask } from '../../../../src/intake/build-task.js';
import { validateForWrite } from '../../../../src/fhir/validate/index.js';
import { loadBaseR4 } from '../../../../src/fhir/validate/definitions.js';
import { IDENTIFIER_SYSTEM } from '../../../../src/referral-model/codes.js';
import { identityCheck } from '../../../../src/workspace/domain/identity-check.js';
import { applyReview, candidateChoice, parseReview, recordSummary, reviewRecord } from '../../../../src/workspace/domain/identity-review.js';
import { manager, NOW, ctx } from '../fixtures.js';

const check = identityCheck({
  referralId: 'SPL-AAAA-BBBB', endpointId: 'lw', source: 'self', submittedAt: '2026-11-24T10:00:00Z', matchOutcome: 'ambiguous', shareWithGp: true, contactHashes: [], taskIdentifier: 'SPL-AAAA-BBBB',
  match: { reason: 'x', practices: [{ tenantId: 'p1', decision: { outcome: 'ambiguous', method: 'demographics', reason: 'x', threshold: 88, candidates: [{ patientId: 'pat-a', score: 80, confident: false, fields: [] }] } }] },
});
const task = () => ({ ...buildCommunityTask(
  { person: { given: 'Zoë', family: "O'Brien", birthDate: '1980-03-07', postcode: 'FB1 2AB' }, contact: { phone: '07700 900982', methods: ['phone'], leaveMessage: true }, needs: ['loneliness'], consent: { service: true, gp: true }, accessibility: { needs: [] } },
  { referralId: 'SPL-AAAA-BBBB', identifierSystem: 'https://fhir.sp-link.example.org/Id/referral', now: NOW, owner: { reference: 'Organization/lw-org' } },
), id: 'task-1', meta: { versionId: '1' } });

describe('workspace: the service manager’s identity review', () => {
  before(() => loadBaseR4());

  it('a decision names a record the evidence names, or none, and always a reason', () => {
    expect(parseReview({ decision: candidateChoice('p1', 'pat-a'), note: 'Spoke to the person' }, check)).to.deep.equal({ ok: true, value: { decision: 'linked', tenantId: 'p1', patientId: 'pat-a', note: 'Spoke to the person' } });
    expect(parseReview({ decision: 'no-match', note: 'Not registered here' }, check)).to.deep.include({ ok: true });
    const missing = parseReview({}, check);
    expect(!missing.ok && Object.keys(missing.errors).sort()).to.deep.equal(['decision', 'note']);
    for (const decision of [candidateChoice('p1', 'pat-z'), candidateChoice('p2', 'pat-a'), 'link:p1:../x', 'anything']) {
      const r = parseReview({ decision, note: 'x' }, check);
      expect(r.ok, decision).to.equal(false);
    }
  });

  it('linking: the Task is for the patient by NHS number, the contained copies carry it, the case record says why', () => {
    const r = applyReview(task(), { decision: 'linked', tenantId: 'p1', patientId: 'pat-a', note: 'Confirmed by phone' }, { nhsNumber: '9990010013' }, ctx({ actor: manager }));
    expect(r.ok).to.equal(true);
    const t = r.ok ? r.change.task : task();
    expect(() => validateForWrite(t)).to.not.throw();
    const nhs = { system: IDENTIFIER_SYSTEM.nhsNumber, value: '9990010013' };
    expect(t.for).to.deep.equal({ identifier: nhs, display: "Zoë O'Brien" });
    expect(JSON.stringify(t.contained)).to.contain('9990010013');
    expect(t.note?.at(-1)?.text).to.equal('Identity checked: linked to the GP record\nConfirmed by phone');
    expect(r.ok && r.change.activity).to.equal('identity-review');
    expect(applyReview(task(), { decision: 'linked', tenantId: 'p1', patientId: 'pat-a', note: 'x' }, {}, ctx()).ok, 'a record without an NHS number').to.equal(false);
    const none = applyReview(task(), { decision: 'no-match', note: 'Not registered' }, {}, ctx());
    expect(none.ok && none.change.task.for?.reference).to.equal('#patient');
  });

  it('the review kept says who decided, when, what and why; a record reads as the manager compares it', () => {
    expect(reviewRecord({ decision: 'linked', tenantId: 'p1', patientId: 'pat-a', note: 'x' }, { actor: manager, now: NOW })).to.deep.equal({ decision: 'linked', tenantId: 'p1', patientId: 'pat-a', by: 'mo', byName: 'Mo Reyes', at: NOW.toISOString(), note: 'x' });
    expect(recordSummary({ resourceType: 'Patient', name: [{ family: 'Ellis', given: ['Margaret'] }], birthDate: '1941-03-14', identifier: [{ system: IDENTIFIER_SYSTEM.nhsNumber, value: '999 001 0013' }], address: [{ line: ['1 High St'], city: 'Fernbridge', postalCode: 'FB1 2AB' }] }))
      .to.deep.equal({ name: 'Margaret Ellis', birthDate: '1941-03-14', nhsNumber: '9990010013', postcode: 'FB1 2AB', address: '1 High St, Fernbridge', gender: undefined });
  });
});
