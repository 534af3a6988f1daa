import { expect } from 'chai';
import { sushiProblems } from '../../../fhir-profiles/run-sushi.js';

const summary = (errors: number, warnings: number) => `║ ${errors} Errors      ${warnings} Warnings ║`;

describe('fhir-profiles/run-sushi: what fails the profile build', () => {
  it('passes a clean build', () => {
    expect(sushiProblems(`info  Exported 40 FHIR resources\n${summary(0, 0)}`, 0)).to.deep.equal({ errors: 0, warnings: 0, problems: [] });
  });

  it('does not fail offline because SUSHI could not ask the npm registry for its own latest version', () => {
    const log = `warn  Unable to determine the latest version of sushi: getaddrinfo ENOTFOUND registry.npmjs.org\n${summary(0, 1)}`;
    expect(sushiProblems(log, 0)).to.deep.equal({ errors: 0, warnings: 0, problems: [] });
  });

  it('fails on any other warning or error, naming it, and on output without a summary', () => {
    const log = `warn  Extension not found: equality-monitoring\nwarn  Unable to determine the latest version of sushi.\nerror Cannot resolve element\n${summary(1, 2)}`;
    expect(sushiProblems(log, 1)).to.deep.equal({ errors: 1, warnings: 1, problems: ['warn  Extension not found: equality-monitoring', 'error Cannot resolve element'] });
    expect(sushiProblems('Segmentation fault', 139).errors).to.equal(139);
    expect(sushiProblems('', 0).problems).to.have.length(1);
  });
});
