import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

// Regression: the first validateForWrite in a fresh process, with nothing preloaded, must work
// (it used to report "not a FHIR resource" because the R4 definitions were not indexed yet).
describe('fhir/validate: first call in a fresh process', function () {
  this.timeout(60_000);

  it('validates without preloadValidation() or loadBaseR4()', async () => {
    const index = fileURLToPath(new URL('../../../../src/fhir/validate/index.ts', import.meta.url));
    const script = `
      const { validateForWrite, isResourceValidationError } = await import(${JSON.stringify(index)});
      const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
      try { validateForWrite(obs); console.log('accepted'); }
      catch (e) { console.log(isResourceValidationError(e) ? e.messages.join('\\n') : 'crash ' + e); }`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)));
    });
    expect(out).to.not.contain('not a FHIR resource');
    expect(out).to.match(/Observation\.category: survey .* is required|Observation\.category: survey is required/);
  });
});
