import { forbidden, normalizeOperationOutcome, OperationOutcomeError, unauthorized } from '@medplum/core';
import type { FhirRequest, FhirRouter } from '@medplum/fhir-router';
import type { Resource } from '@medplum/fhirtypes';
import type { Request } from 'express';

export type FhirInteraction =
  | 'read'
  | 'search'
  | 'create'
  | 'update'
  | 'delete'
  | 'history'
  | 'transaction'
  | 'batch'
  | 'metadata';

/** One interaction to authorise. `resource` is the body of a create/update; `query` the search. */
export interface FhirAccess {
  readonly type: string;
  readonly id?: string;
  readonly interaction: FhirInteraction;
  readonly query?: Readonly<Record<string, string | string[] | undefined>>;
  readonly resource?: Resource;
}

/**
 * Throws to deny: an `OperationOutcomeError` keeps its status; any other error with a numeric
 * `httpStatus`/`status` of 401 or 403 becomes that OperationOutcome; anything else is a 403.
 */
export type AuthorizeFn = (req: Request, access: FhirAccess) => Promise<void>;

/** Medplum route interactions → the coarser set an authoriser decides on. */
const INTERACTION: Record<string, FhirInteraction | undefined> = {
  read: 'read',
  vread: 'read',
  'search-type': 'search',
  create: 'create',
  update: 'update',
  patch: 'update',
  delete: 'delete',
  'history-instance': 'history',
  'history-type': 'history',
  batch: 'batch',
};

/**
 * Drops routes the sandbox does not serve (system search, GraphQL: both would bypass per-type
 * checks) and wraps every remaining handler so `authorize` sees each interaction, including each
 * entry of a batch or transaction, with the HTTP request that carried it.
 */
export function authorizedRouter(router: FhirRouter, currentRequest: () => Request | undefined, authorize?: AuthorizeFn): FhirRouter {
  const routes = router.router.routes;
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (!route || !INTERACTION[route.data?.interaction ?? '']) routes.splice(i, 1);
  }
  if (!authorize) return router;
  for (const route of routes) {
    const inner = route.handler;
    const mapped = INTERACTION[route.data?.interaction ?? ''] as FhirInteraction;
    route.handler = async (req, repo, r, options) => {
      const httpReq = currentRequest();
      if (httpReq) await authorizeOrThrow(authorize, httpReq, accessFor(req, mapped));
      return inner(req, repo, r, options);
    };
  }
  return router;
}

function accessFor(req: FhirRequest, mapped: FhirInteraction): FhirAccess {
  const body = req.body as Resource | undefined;
  if (mapped === 'batch') {
    const type = body?.resourceType === 'Bundle' && body.type === 'transaction' ? 'transaction' : 'batch';
    return { type: 'Bundle', interaction: type, resource: body };
  }
  const writes = mapped === 'create' || mapped === 'update';
  return {
    type: req.params.resourceType ?? '',
    ...(req.params.id ? { id: req.params.id } : {}),
    interaction: mapped,
    query: req.query,
    ...(writes && body?.resourceType ? { resource: body } : {}),
  };
}

/** Runs `authorize`, turning any denial into an OperationOutcomeError with its status. */
export async function authorizeOrThrow(authorize: AuthorizeFn, req: Request, access: FhirAccess): Promise<void> {
  try {
    await authorize(req, access);
  } catch (err) {
    if (err instanceof OperationOutcomeError) throw err;
    const status = (err as { httpStatus?: unknown; status?: unknown }).httpStatus ?? (err as { status?: unknown }).status;
    const outcome = status === 401 ? unauthorized : forbidden;
    const detail = err instanceof Error ? err.message : undefined;
    const base = normalizeOperationOutcome(outcome);
    throw new OperationOutcomeError(
      detail ? { ...base, issue: base.issue.map((i) => ({ ...i, details: { text: detail } })) } : base,
    );
  }
}

