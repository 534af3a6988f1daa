import { expect } from 'chai';
import { SpLinkError } from '../../../src/errors.js';
import { FhirAuthError, FhirHttpError, FhirTransportError } from '../../../src/fhir/errors.js';
import { logApiError, outcomeForError, toApiError } from '../../../src/http/api-error.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../../src/http/body-limits.js';
import { createLogger } from '../../../src/observability/logger.js';
import { memoryDestination } from '../../helpers/http.js';

describe('http/api-error (the one map to API errors)', () => {
  it('maps a stale If-Match (412) to a 409 version conflict with the FHIR diagnostics in details', () => {
    const e = toApiError(
      new FhirHttpError(412, 'PUT', 'https://x/Task/1', { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'version mismatch' }] }),
    );
    expect(e).to.include({ code: 'ERR_TASK_VERSION_CONFLICT', httpStatus: 409 });
    expect(e.details).to.deep.include({ fhirCode: 'ERR_FHIR_PRECONDITION_FAILED', status: 412, diagnostics: 'version mismatch' });
  });

  it('maps each FHIR answer to what the user can act on', () => {
    const http = (status: number) => toApiError(new FhirHttpError(status, 'GET', 'https://x/Patient/1'));
    expect(http(401)).to.include({ code: 'ERR_SESSION_EXPIRED', httpStatus: 401 });
    expect(http(403)).to.include({ code: 'ERR_FORBIDDEN', httpStatus: 403 });
    expect(http(404)).to.include({ code: 'ERR_NOT_FOUND', httpStatus: 404 });
    expect(http(410)).to.include({ code: 'ERR_NOT_FOUND', httpStatus: 404 });
    for (const status of [400, 409, 422, 429, 500, 503]) expect(http(status), String(status)).to.include({ code: 'ERR_FHIR_REQUEST_FAILED', httpStatus: 502 });
    expect(toApiError(new FhirTransportError('ERR_FHIR_TIMEOUT', 'GET', 'https://x/metadata'))).to.include({ code: 'ERR_FHIR_UNREACHABLE', httpStatus: 502 });
    expect(toApiError(new FhirTransportError('ERR_FHIR_NETWORK', 'GET', 'https://x/metadata'))).to.include({ code: 'ERR_FHIR_UNREACHABLE', httpStatus: 502 });
    expect(toApiError(new FhirAuthError('token endpoint refused', false))).to.include({ code: 'ERR_FHIR_UNREACHABLE', httpStatus: 502 });
  });

  it('keeps our own errors, and maps body-parser failures and anything else', () => {
    const own = new SpLinkError('ERR_CSRF');
    expect(toApiError(own)).to.equal(own);
    expect(toApiError(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 }))).to.include({ code: 'ERR_MALFORMED_REQUEST', httpStatus: 400 });
    expect(toApiError(Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 }))).to.include({ code: 'ERR_PAYLOAD_TOO_LARGE', httpStatus: 413 });
    expect(toApiError(new TypeError('x is undefined'))).to.include({ code: 'ERR_INTERNAL', httpStatus: 500 });
  });

  it('maps every client error a parser raises by its status to that status’s registry code, never sending its own message', () => {
    const httpError = (status: number, type: string) => Object.assign(new Error(`internal detail ${type}`), { status, statusCode: status, expose: true, type });
    expect(toApiError(httpError(415, 'charset.unsupported'))).to.include({ code: 'ERR_UNSUPPORTED_MEDIA_TYPE', httpStatus: 415 });
    expect(toApiError(httpError(413, 'parameters.too.many'))).to.include({ code: 'ERR_PAYLOAD_TOO_LARGE', httpStatus: 413 });
    expect(toApiError(httpError(403, 'entity.verify.failed'))).to.include({ code: 'ERR_FORBIDDEN', httpStatus: 403 });
    expect(toApiError(httpError(400, 'request.aborted'))).to.include({ code: 'ERR_MALFORMED_REQUEST', httpStatus: 400 });
    for (const s of [400, 403, 413, 415]) expect(toApiError(httpError(s, 'x')).message).to.not.contain('internal detail');
    // A server error that carries a status is still internal.
    expect(toApiError(Object.assign(new Error('db down'), { status: 503, expose: false }))).to.include({ code: 'ERR_INTERNAL', httpStatus: 500 });
  });

  it('a FHIR-facing surface answers an OperationOutcome with the code; a server error loses its internal message', () => {
    const tooLarge = outcomeForError(Object.assign(new Error('x'), { status: 413, type: 'entity.too.large' }));
    expect(tooLarge.status).to.equal(413);
    expect(tooLarge.outcome.issue[0]).to.deep.include({ code: 'too-costly', diagnostics: 'ERR_PAYLOAD_TOO_LARGE' });
    const internal = outcomeForError(new RangeError('Maximum call stack size exceeded'));
    expect(internal.status).to.equal(500);
    expect(JSON.stringify(internal.outcome)).to.not.contain('Maximum call stack');
  });

  it('logs a client error as a warning with its code and no stack; a server error with its stack', () => {
    const dest = memoryDestination();
    const log = createLogger({ level: 'info', destination: dest });
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' });
    logApiError(log, tooLarge, toApiError(tooLarge), 'request');
    const boom = new TypeError('x is undefined');
    logApiError(log, boom, toApiError(boom), 'request');
    expect(dest.lines[0]).to.deep.include({ level: 40, code: 'ERR_PAYLOAD_TOO_LARGE', msg: 'request refused' });
    expect(JSON.stringify(dest.lines[0])).to.not.contain('stack');
    expect(dest.lines[1]).to.deep.include({ level: 50, code: 'ERR_INTERNAL' });
    expect(JSON.stringify(dest.lines[1])).to.contain('stack');
  });

  it('finds nesting deeper than the limit without recursing (a million levels)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(nestedDeeperThan(deep)).to.equal(true);
    let ok: unknown = { a: 1 };
    for (let i = 1; i < MAX_JSON_DEPTH; i++) ok = { a: ok };
    expect(nestedDeeperThan(ok)).to.equal(false);
    expect(nestedDeeperThan([ok])).to.equal(true);
  });
});
