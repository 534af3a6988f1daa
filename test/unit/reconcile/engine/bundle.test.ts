import type { Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { provenanceKey, transactionOf, unitEntries } from '../../../../src/reconcile/engine/bundle.js';
import { planUnit, type WriteUnit } from '../../../../src/reconcile/engine/unit.js';
import { parseTask, refKey } from '../../../../src/reconcile/rules/index.js';
import { IDENTIFIER_SYSTEM } from '../../../../src/referral-model/codes.js';
import { LW, makeTask, patient, serviceRequest, swemwbs, topology } from '../../../helpers/task-fixtures.js';

const NOW = new Date('2026-02-01T10:00:00Z');
const accept = (_: Resource) => undefined;

function unitOf(...specs: Parameters<typeof makeTask>[0][]): WriteUnit {
  const obs = new Map([[refKey({ kind: 'link-worker', resourceType: 'Observation', id: 'o1' }), swemwbs('o1', 24)]]);
  const versions = specs.map((s) => {
    const p = parseTask(makeTask(s), topology);
    if (!p.ok) throw new Error(p.bad.reason);
    return p.task;
  });
  const { unit } = planUnit(versions, { topology, serviceRequest: serviceRequest('active'), patient, observations: () => obs, track: undefined });
  if (!unit) throw new Error('no unit');
  return unit;
}

describe('reconcile engine: the EHR transaction for one unit', () => {
  it('updates the referral under If-Match, creates conditionally on identifiers, and ends with a conditional Provenance', () => {
    const unit = unitOf({ version: 2, status: 'accepted' }, { version: 5, status: 'completed', summary: 'Joined a choir', observations: ['o1'] });
    const entries = unitEntries(topology, unit, accept, NOW);
    const put = entries.find((e) => e.request?.method === 'PUT');
    expect(put?.request).to.deep.equal({ method: 'PUT', url: 'ServiceRequest/sr1', ifMatch: 'W/"1"' });
    expect((put?.resource as { status?: string }).status).to.equal('completed');
    const posts = entries.filter((e) => e.request?.method === 'POST');
    expect(posts.map((e) => e.resource?.resourceType)).to.deep.equal(['Observation', 'Communication', 'Provenance']);
    expect(posts[0]!.request?.ifNoneExist).to.match(new RegExp(`^identifier=${IDENTIFIER_SYSTEM.outcomeObservation.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\|`));
    expect(posts[1]!.request?.ifNoneExist).to.match(/^identifier=.+\|.+/);
    // The Provenance is keyed on the last source Task version, so a replayed unit finds the one already written.
    const key = provenanceKey(topology, unit);
    expect(key).to.equal(`${LW}/Task/t1/_history/5`);
    expect(posts[2]!.request?.ifNoneExist).to.equal(`entity=${encodeURIComponent(key)}`);
    const prov = posts[2]!.resource as { target?: { reference?: string }[]; entity?: { what?: { reference?: string } }[]; recorded?: string };
    expect(prov.recorded).to.equal(NOW.toISOString());
    expect(prov.target?.map((t) => t.reference)).to.deep.equal(['ServiceRequest/sr1', posts[0]!.fullUrl, posts[1]!.fullUrl]);
    expect(prov.entity?.map((e) => e.what?.reference)).to.include.members([`${LW}/Task/t1/_history/2`, `${LW}/Task/t1/_history/5`]);
  });

  it('writes nothing for a unit without EHR effects', () => {
    const unit = unitOf({ version: 2, status: 'accepted' });
    expect(unit.ehrEffects).to.deep.equal([]);
    expect(unitEntries(topology, unit, accept, NOW)).to.deep.equal([]);
  });

  it('validates every resource first: an invalid one throws before a transaction exists', () => {
    const unit = unitOf({ version: 3, status: 'completed', summary: 'Done' });
    const refuse = (r: Resource) => {
      if (r.resourceType === 'Communication') throw new Error('Communication: payload required');
    };
    expect(() => unitEntries(topology, unit, refuse, NOW)).to.throw('payload required');
  });

  it('wraps entries in a transaction Bundle', () => {
    expect(transactionOf([])).to.deep.equal({ resourceType: 'Bundle', type: 'transaction', entry: [] });
  });
});
