import { startHarness } from './harness.js';
describe('timing', function () {
  this.timeout(120000);
  it('t', async () => {
    let t = Date.now();
    const h = await startHarness();
    console.log('start', Date.now() - t); t = Date.now();
    await h.reconciler.runOnce();
    console.log('runOnce', Date.now() - t); t = Date.now();
    await h.close();
    console.log('close', Date.now() - t); t = Date.now();
  });
});
