import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import type { DoctorCheck, EndpointKind } from './types.js';

/** What SP Link does at each kind of endpoint, and so what it needs the server to support. */
const NEEDS: Record<EndpointKind, { conditionalCreate: string[]; versionedUpdate: string[]; lastUpdatedSearch: string[] }> = {
  // Write-back: outcome Observations / Communications by conditional create; ServiceRequest status with If-Match.
  ehr: { conditionalCreate: ['Observation', 'Communication'], versionedUpdate: ['ServiceRequest'], lastUpdatedSearch: [] },
  // Referral delivery: Task by conditional create; workspace updates with If-Match; reconciler polls by _lastUpdated.
  'link-worker': { conditionalCreate: ['Task'], versionedUpdate: ['Task'], lastUpdatedSearch: ['Task'] },
};

function serverRest(cs: CapabilityStatement) {
  return cs.rest?.find((r) => r.mode === 'server');
}

function resourceOf(cs: CapabilityStatement, type: string): CapabilityStatementRestResource | undefined {
  return serverRest(cs)?.resource?.find((r) => r.type === type);
}

/**
 * Checks a CapabilityStatement against what SP Link needs at this kind of endpoint (FHIR R4
 * capabilitystatement: rest.interaction, resource.conditionalCreate, resource.versioning, searchParam).
 */
export function checkCapabilityStatement(endpoint: string, kind: EndpointKind, cs: CapabilityStatement): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const add = (check: string, ok: boolean, detail: string, fix: string) =>
    out.push({ endpoint, check, status: ok ? 'PASS' : 'FAIL', detail, ...(ok ? {} : { fix }) });

  add(
    'CapabilityStatement: FHIR 4.0.1',
    cs.fhirVersion === '4.0.1',
    `fhirVersion ${cs.fhirVersion ?? '(missing)'}`,
    'SP Link speaks FHIR R4 (4.0.1): point fhirBase at the server\'s R4 endpoint (often …/R4 or …/fhir/r4).',
  );

  const rest = serverRest(cs);
  const tx = rest?.interaction?.some((i) => i.code === 'transaction') ?? false;
  add(
    'supports transaction',
    tx,
    tx ? 'rest.interaction includes transaction' : 'no transaction interaction declared',
    'SP Link writes a referral or outcome and its Provenance atomically; enable transaction Bundles on this server.',
  );

  for (const type of NEEDS[kind].conditionalCreate) {
    const ok = resourceOf(cs, type)?.conditionalCreate === true;
    add(
      `conditional create (${type})`,
      ok,
      ok ? `${type}.conditionalCreate = true` : `${type} does not declare conditionalCreate`,
      `SP Link creates ${type} with If-None-Exist so a retry cannot duplicate it; enable conditional create for ${type}.`,
    );
  }

  for (const type of NEEDS[kind].versionedUpdate) {
    const v = resourceOf(cs, type)?.versioning;
    const ok = v === 'versioned-update';
    add(
      `versioned update (${type})`,
      ok,
      `${type}.versioning = ${v ?? '(missing)'}`,
      `SP Link updates ${type} with If-Match to avoid lost updates; the server must support versioned-update for ${type}.`,
    );
  }

  for (const type of NEEDS[kind].lastUpdatedSearch) {
    const params = [...(resourceOf(cs, type)?.searchParam ?? []), ...(rest?.searchParam ?? [])];
    const ok = params.some((p) => p.name === '_lastUpdated');
    add(
      `_lastUpdated search (${type})`,
      ok,
      ok ? `${type} search supports _lastUpdated` : `_lastUpdated not listed for ${type}`,
      `The reconciler polls ${type}?_lastUpdated=ge…; enable the _lastUpdated search parameter for ${type}.`,
    );
  }
  return out;
}
