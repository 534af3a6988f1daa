import { expect } from 'chai';
import { seeded } from '../../../../src/sandbox/demo/seeded-random.js';

describe('sandbox/demo/seeded-random: the same choices on every run', () => {
  const draw = (seed: number, n: number) => {
    const r = seeded(seed);
    return Array.from({ length: n }, () => r());
  };

  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(draw(42, 50)).to.deep.equal(draw(42, 50));
    expect(draw(42, 50)).to.not.deep.equal(draw(43, 50));
  });

  it('draws in [0, 1), spread evenly enough to pick from lists', () => {
    const xs = draw(7, 20_000);
    expect(Math.min(...xs)).to.be.at.least(0);
    expect(Math.max(...xs)).to.be.below(1);
    const tenths = new Array<number>(10).fill(0);
    for (const x of xs) tenths[Math.floor(x * 10)]!++;
    for (const n of tenths) expect(n).to.be.within(1700, 2300);
  });
});
