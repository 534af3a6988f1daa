import { expect } from 'chai';
import { runLineReader, type RunCounts } from '../../../bench/reliability/processes.js';

/** The reliability suite counts a reconciler process's runs from its output, however the pipe splits it. */
describe('reliability: reading a reconciler process\'s run lines', () => {
  const output = 'ready\nrun caught-up applied=3 dead=0\nrun busy applied=0 dead=0\nrun stopped-on-failure applied=0 dead=0\nrun stopped-on-failure applied=1 dead=0\n';

  for (const [name, chunks] of [
    ['in one chunk', [output]],
    ['a byte at a time', [...output]],
    ['split inside lines', [output.slice(0, 9), output.slice(9, 40), output.slice(40, 97), output.slice(97)]],
  ] as const) {
    it(`counts every run once ${name}`, () => {
      const runs: RunCounts = { ok: 0, busy: 0, failed: 0 };
      let ready = 0;
      let ran = 0;
      const reader = runLineReader(runs, { ready: () => void ready++, ran: () => void ran++ });
      for (const c of chunks) reader.push(c);
      expect(runs).to.deep.equal({ ok: 1, busy: 1, failed: 2 });
      expect({ ready, ran }).to.deep.equal({ ready: 1, ran: 3 });
    });
  }
});
