import { expect } from 'chai';
import { SpLinkError } from '../../../src/errors.js';
import { FhirAuthError, FhirHttpError, FhirTransportError } from '../../../src/fhir/errors.js';
import { toApiError } from '../../../src/http/api-error.js';

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
});
