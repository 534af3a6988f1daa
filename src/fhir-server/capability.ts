import { getSearchParameters } from '@medplum/core';
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceInteraction,
  CapabilityStatementRestResourceSearchParam,
  CapabilityStatementRestSecurity,
} from '@medplum/fhirtypes';
import { ensureR4Definitions } from './definitions.js';

export interface CapabilityOptions {
  readonly name: string;
  /** Human title; absent: the sandbox server's own title for `ehr` and `lw`. */
  readonly title?: string;
  readonly baseUrl: string;
  /** SMART / OAuth details, when the server is protected. */
  readonly security?: CapabilityStatementRestSecurity;
}

const TITLES: Readonly<Record<string, string>> = {
  ehr: 'SP Link sandbox GP practice EHR',
  lw: 'SP Link sandbox link-worker service',
};

const INTERACTIONS: CapabilityStatementRestResourceInteraction['code'][] = [
  'read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type',
];

/** Search parameters Medplum adds for its own server (project, compartment…), not part of R4. */
const isR4Param = (url: string | undefined): boolean => !url?.startsWith('https://medplum.com/');

/** What the server really does, for clients and `sp-link doctor` (R4 capabilitystatement.html). */
export function buildCapabilityStatement(opts: CapabilityOptions): CapabilityStatement {
  const resource = ensureR4Definitions().map(resourceCapability);
  const title = opts.title ?? TITLES[opts.name] ?? `SP Link FHIR store ${opts.name}`;
  return {
    resourceType: 'CapabilityStatement',
    name: opts.name === 'ehr' ? 'SPLinkSandboxEhr' : opts.name === 'lw' ? 'SPLinkSandboxLinkWorker' : 'SPLinkHostedRecord',
    title,
    status: 'active',
    experimental: true,
    date: '2026-11-01',
    publisher: 'SP Link',
    kind: 'instance',
    software: { name: 'SP Link FHIR server (Medplum fhir-router over SP Link\'s database)', version: '0.1.0' },
    implementation: { description: title, url: opts.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        documentation: 'R4 server on SP Link\'s database (PGlite embedded or PostgreSQL): every version kept, each request or transaction Bundle one database transaction.',
        ...(opts.security ? { security: opts.security } : {}),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        resource,
      },
    ],
  };
}

function resourceCapability(type: string): CapabilityStatementRestResource {
  const params = Object.entries(getSearchParameters(type) ?? {}).filter(([, sp]) => isR4Param(sp.url));
  const searchParam: CapabilityStatementRestResourceSearchParam[] = params.map(([code, sp]) => ({
    name: code,
    definition: sp.url,
    type: sp.type,
  }));
  const searchInclude = params.filter(([code, sp]) => sp.type === 'reference' && !code.startsWith('_')).map(([code]) => `${type}:${code}`);
  return {
    type: type as CapabilityStatementRestResource['type'],
    interaction: INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalUpdate: true,
    conditionalDelete: 'single',
    referencePolicy: ['literal'],
    searchInclude,
    searchParam,
  };
}
