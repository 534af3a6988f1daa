import { expect } from 'chai';
import { outboxRowOf, outboxSourceRef } from '../../../../src/reconcile/store/dead-letters.js';

describe('dead-letter sources', () => {
  it('names an outbox row one way, and reads only that form back', () => {
    expect(outboxSourceRef(12)).to.equal('outbox/12');
    expect(outboxRowOf(outboxSourceRef(12))).to.equal(12);
    for (const other of ['Task/abc/_history/3', 'outbox/', 'outbox/12a', 'outbox/-1']) expect(outboxRowOf(other)).to.equal(undefined);
  });
});
