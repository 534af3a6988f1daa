import { expect } from 'chai';
import type { Request } from 'express';
import { createFhirAuthorize } from '../../../../src/fhir-server/access/authorize.js';
import { AccessError } from '../../../../src/fhir-server/access/access-error.js';
import { parseClinicalScopes } from '../../../../src/fhir-server/access/smart-scopes.js';
import type { FhirAccess } from '../../../../src/fhir-server/index.js';

const base = 'http://x/fhir';
const store: Record<string, { resourceType: string; id: string; subject?: { reference: string } }> = {
  'Observation/mine': { resourceType: 'Observation', id: 'mine', subject: { reference: 'Patient/a' } },
  'Observation/theirs': { resourceType: 'Observation', id: 'theirs', subject: { reference: 'Patient/b' } },
};

function authorizeWith(scope: string, patient?: string) {
  return createFhirAuthorize({
    fhirBase: base,
    verify: async () => ({ clientId: 'c', scopes: parseClinicalScopes(scope), ...(patient ? { patient } : {}) }),
    readResource: () => async (type, id) => store[`${type}/${id}`],
  });
}

async function status(scope: string, access: FhirAccess, patient?: string): Promise<number> {
  try {
    await authorizeWith(scope, patient)({ headers: {} } as Request, access);
    return 200;
  } catch (err) {
    if (err instanceof AccessError) return err.httpStatus;
    throw err;
  }
}

describe('sandbox FHIR authorize', () => {
  it('keeps /metadata public and lets a Bundle through to per-entry checks', async () => {
    expect(await status('', { type: 'CapabilityStatement', interaction: 'metadata' })).to.equal(200);
    expect(await status('system/Patient.r', { type: 'Bundle', interaction: 'transaction' })).to.equal(200);
  });

  it('maps interactions to c/r/u/d/s, history included', async () => {
    expect(await status('system/Observation.r', { type: 'Observation', id: 'x', interaction: 'read' })).to.equal(200);
    expect(await status('system/Observation.r', { type: 'Observation', interaction: 'search' })).to.equal(403);
    expect(await status('system/Observation.s', { type: 'Observation', interaction: 'history' })).to.equal(200);
    expect(await status('system/Observation.s', { type: 'Observation', id: 'x', interaction: 'history' })).to.equal(403);
    expect(await status('system/Observation.cud', { type: 'Observation', id: 'x', interaction: 'delete' })).to.equal(200);
  });

  it('confines patient/ scopes to the launch patient, and refuses them without one', async () => {
    expect(await status('patient/Observation.rs', { type: 'Observation', id: 'mine', interaction: 'read' }, 'a')).to.equal(200);
    expect(await status('patient/Observation.rs', { type: 'Observation', id: 'theirs', interaction: 'read' }, 'a')).to.equal(403);
    expect(await status('patient/Observation.rs', { type: 'Observation', interaction: 'history' }, 'a')).to.equal(403);
    expect(await status('patient/Observation.rs', { type: 'Observation', id: 'mine', interaction: 'read' })).to.equal(403);
    const move = { resourceType: 'Observation', id: 'mine', subject: { reference: 'Patient/b' } } as never;
    expect(await status('patient/Observation.u', { type: 'Observation', id: 'mine', interaction: 'update', resource: move }, 'a')).to.equal(403);
  });
});
