import { expect } from 'chai';
import { typeStatisticsDue } from '../../../src/fhir-store/type-statistics.js';

describe('fhir-store/type-statistics: when the planner\'s per-type estimates are due for an ANALYZE', () => {
  const m = (o: Record<string, number>) => new Map(Object.entries(o));

  it('a type the statistics do not know is due after 50 writes, and not before', () => {
    expect(typeStatisticsDue(m({ ServiceRequest: 10_000 }), m({ Provenance: 50 }))).to.equal(false);
    expect(typeStatisticsDue(m({ ServiceRequest: 10_000 }), m({ Provenance: 51 }))).to.equal(true);
  });

  it('a known type is due once its writes pass 50 + the rows it is estimated at (it may have doubled)', () => {
    expect(typeStatisticsDue(m({ Provenance: 1000 }), m({ Provenance: 1050 }))).to.equal(false);
    expect(typeStatisticsDue(m({ Provenance: 1000 }), m({ Provenance: 1051 }))).to.equal(true);
  });

  it('updates of a big type do not make a steady store re-analyze', () => {
    expect(typeStatisticsDue(m({ ServiceRequest: 10_000, Task: 10_000 }), m({ ServiceRequest: 900, Task: 30 }))).to.equal(false);
  });
});
