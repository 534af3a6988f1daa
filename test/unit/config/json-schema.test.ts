import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { configJsonSchema } from '../../../src/config/json-schema.js';

describe('config/sp-link.schema.json', () => {
  it('is what `sp-link config-schema` prints for the current config schema (regenerate it when this fails)', () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('../../../config/sp-link.schema.json', import.meta.url), 'utf8'));
    expect(committed).to.deep.equal(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});
