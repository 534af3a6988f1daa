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
 * capabilitystatement: rest.interaction, resource.conditionalCreate, resource.versioning, searchParam). Only the
 * FHIR version FAILs on its declaration alone: servers under-declare (Medplum says `versioned` yet honours
 * If-Match), so a missing declaration WARNs and the doctor's behaviour probes decide.
 */
export function checkCapabilityStatement(endpoint: string, kind: EndpointKind, cs: CapabilityStatement): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const add = (check: string, ok: boolean, detail: string, fix: string, failing: 'FAIL' | 'WARN' = 'WARN') =>
    out.push({ endpoint, check, status: ok ? 'PASS' : failing, detail, ...(ok ? {} : { fix }) });

  add(
    'CapabilityStatement: FHIR 4.0.1',
    cs.fhirVersion === '4.0.1',
    `fhirVersion ${cs.fhirVersion ?? '(missing)'}`,
    'SP Link speaks FHIR R4 (4.0.1): point fhirBase at the server\'s R4 endpoint (often …/R4 or …/fhir/r4).',
    'FAIL',
  );

  const rest = serverRest(cs);
  const tx = rest?.interaction?.some((i) => i.code === 'transaction') ?? false;
  add(
    'supports transaction',
    tx,
    tx ? 'rest.interaction includes transaction' : 'no transaction interaction declared',
    'Not declared: the "transaction works" probe below decides. SP Link writes a referral or outcome and its Provenance atomically.',
  );

  for (const type of NEEDS[kind].conditionalCreate) {
    const ok = resourceOf(cs, type)?.conditionalCreate === true;
    add(
      `conditional create (${type})`,
      ok,
      ok ? `${type}.conditionalCreate = true` : `${type} does not declare conditionalCreate`,
      `Not declared: check with the server's administrator. SP Link creates ${type} with If-None-Exist so a retry cannot duplicate it.`,
    );
  }

  for (const type of NEEDS[kind].versionedUpdate) {
    const v = resourceOf(cs, type)?.versioning;
    const ok = v === 'versioned-update';
    add(
      `versioned update (${type})`,
      ok,
      `${type}.versioning = ${v ?? '(missing)'}`,
      `Declared otherwise: the "If-Match honoured" probe below decides. SP Link updates ${type} with If-Match to avoid lost updates.`,
    );
  }

  for (const type of NEEDS[kind].lastUpdatedSearch) {
    const params = [...(resourceOf(cs, type)?.searchParam ?? []), ...(rest?.searchParam ?? [])];
    const ok = params.some((p) => p.name === '_lastUpdated');
    add(
      `_lastUpdated search (${type})`,
      ok,
      ok ? `${type} search supports _lastUpdated` : `_lastUpdated not listed for ${type}`,
      `Not declared: the polling search probe below decides. The reconciler polls ${type}?_lastUpdated=ge….`,
    );
  }
  return out;
}
