import { expect } from 'chai';
import { fhirErrorToApiError } from '../../../src/fhir/api-error.js';
import { FhirHttpError, FhirTransportError } from '../../../src/fhir/errors.js';

describe('fhir/api-error', () => {
  it('maps a stale If-Match to a 409 version conflict with the FHIR diagnostics in details', () => {
    const e = fhirErrorToApiError(
      new FhirHttpError(412, 'PUT', 'https://x/Task/1', { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'version mismatch' }] }),
    );
    expect(e).to.include({ code: 'ERR_TASK_VERSION_CONFLICT', httpStatus: 409 });
    expect(e.details).to.deep.include({ fhirCode: 'ERR_FHIR_PRECONDITION_FAILED', status: 412, diagnostics: 'version mismatch' });
  });

  it('maps transport failures to ERR_FHIR_UNREACHABLE and server errors to a 502', () => {
    expect(fhirErrorToApiError(new FhirTransportError('ERR_FHIR_TIMEOUT', 'GET', 'https://x/metadata'))).to.include({ code: 'ERR_FHIR_UNREACHABLE', httpStatus: 504 });
    expect(fhirErrorToApiError(new FhirHttpError(500, 'GET', 'https://x/Patient/1'))).to.include({ code: 'ERR_FHIR_REQUEST_FAILED', httpStatus: 502 });
  });
});
