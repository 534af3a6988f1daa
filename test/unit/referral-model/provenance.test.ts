import { expect } from 'chai';
import { buildProvenance, gpProvenance, SP_LINK_AGENT } from '../../../src/referral-model/provenance.js';
import { PROFILE } from '../../../src/referral-model/codes.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';

const now = new Date('2026-11-20T10:00:00Z');

describe('referral-model/provenance: the one Provenance builder', () => {
  it('records a GP-authored write with the GP as author and SP Link as assembler', () => {
    const p = gpProvenance({ targets: ['urn:uuid:1'], author: { reference: 'Practitioner/gp1', display: 'Dr A' }, recorded: now, activity: 'CREATE' });
    expect(p.meta?.profile).to.deep.equal([PROFILE.provenance]);
    expect(p.recorded).to.equal('2026-11-20T10:00:00.000Z');
    expect(p.target).to.deep.equal([{ reference: 'urn:uuid:1' }]);
    expect(p.activity?.coding?.[0]).to.include({ code: 'CREATE', display: 'create' });
    expect(p.agent.map((a) => [a.type?.coding?.[0]?.code, a.who])).to.deep.equal([
      ['author', { reference: 'Practitioner/gp1', display: 'Dr A' }],
      ['assembler', SP_LINK_AGENT],
    ]);
    expect(p.entity).to.equal(undefined);
  });

  it('records the source Task versions, the organisation acted for and the activity in words', () => {
    const p = buildProvenance({
      targets: ['Task/t1', 'Observation/o1'],
      recorded: now,
      activity: 'UPDATE',
      activityText: 'Referral accepted',
      agents: [{ role: 'author', who: { reference: 'Practitioner/lw1' }, onBehalfOf: { reference: 'Organization/org1' } }],
      sources: ['https://lw.example/fhir/Task/t1/_history/3'],
    });
    expect(p.activity).to.deep.include({ text: 'Referral accepted' });
    expect(p.activity?.coding?.[0]).to.include({ code: 'UPDATE', display: 'revise' });
    expect(p.agent[0]?.onBehalfOf).to.deep.equal({ reference: 'Organization/org1' });
    expect(p.entity).to.deep.equal([{ role: 'source', what: { reference: 'https://lw.example/fhir/Task/t1/_history/3' } }]);
  });

  it('writes what SP Link\'s Provenance profile accepts, for every role it uses', () => {
    for (const role of ['author', 'assembler', 'performer'] as const) {
      const p = buildProvenance({ targets: ['ServiceRequest/sr1'], recorded: now, activity: 'UPDATE', agents: [{ role, who: SP_LINK_AGENT }], sources: ['https://lw.example/fhir/Task/t1/_history/1'] });
      expect(() => validateForWrite(p), role).not.to.throw();
    }
  });
});
