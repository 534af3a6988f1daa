import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ERRORS, SpLinkError, codeForClientStatus, errorBody, type ErrorCode } from '../../src/errors.js';

/** The rows of the error table in docs/ARCHITECTURE.md: | `ERR_X` | status | meaning |. */
function docsTable(): Map<string, { status: number; meaning: string }> {
  const md = readFileSync(new URL('../../docs/ARCHITECTURE.md', import.meta.url), 'utf8');
  const section = md.slice(md.indexOf('## Errors'));
  const rows = new Map<string, { status: number; meaning: string }>();
  for (const m of section.matchAll(/^\| `(ERR_[A-Z_]+)` \| (\d{3}) \| (.+) \|$/gm)) rows.set(m[1]!, { status: Number(m[2]), meaning: m[3]! });
  return rows;
}

describe('errors (the registry)', () => {
  it('docs/ARCHITECTURE.md lists exactly the registry’s codes, each with its status and meaning', () => {
    const table = docsTable();
    expect([...table.keys()].sort()).to.deep.equal(Object.keys(ERRORS).sort());
    for (const [code, e] of Object.entries(ERRORS)) expect(table.get(code), code).to.deep.equal({ status: e.status, meaning: e.meaning });
  });

  it('the code alone decides the HTTP status; the default message comes from the registry', () => {
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const e = new SpLinkError(code);
      expect(e.httpStatus, code).to.equal(ERRORS[code].status);
      expect(e.message, code).to.equal(ERRORS[code].message);
    }
    expect(new SpLinkError('ERR_SESSION_EXPIRED', { message: 'The sign-in code was already used or has expired.' }).httpStatus).to.equal(401);
  });

  it('the error body carries code, message and fields, never the details', () => {
    const e = new SpLinkError('ERR_VALIDATION', { fields: [{ path: 'needs', message: 'Choose at least one' }], details: { internal: 'x' } });
    expect(errorBody(e)).to.deep.equal({ error: { code: 'ERR_VALIDATION', message: ERRORS.ERR_VALIDATION.message, fields: [{ path: 'needs', message: 'Choose at least one' }] } });
  });

  it('a client error known only by its status maps to a code bound to that same status (other 4xx: unreadable, 400)', () => {
    for (const status of [400, 401, 403, 404, 413, 415, 422, 429]) expect(ERRORS[codeForClientStatus(status)].status, String(status)).to.equal(status);
    expect(codeForClientStatus(418)).to.equal('ERR_MALFORMED_REQUEST');
  });
});
