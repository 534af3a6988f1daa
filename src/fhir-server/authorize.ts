import { forbidden, normalizeOperationOutcome, OperationOutcomeError, unauthorized } from '@medplum/core';
import type { FhirRequest, FhirResponse, FhirRouter } from '@medplum/fhir-router';
import type { Bundle, Resource } from '@medplum/fhirtypes';
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
      const response = await inner(req, repo, r, options);
      return httpReq && mapped === 'search' ? withAuthorizedIncludes(authorize, httpReq, response) : response;
    };
  }
  return router;
}

/**
 * Resources that `_include`/`_revinclude` add to a search Bundle were not covered by the search's own check
 * (another type, or another patient's record), so each is authorised as a read of that resource. Denied ones
 * are left out and the search still succeeds, as production FHIR servers do: the search itself was allowed,
 * an unrelated reference (a shared Practitioner, a panel member) must not turn it into a 403, and a 403 would
 * tell the client that a resource it may not read exists. Any error counts as a denial (fail closed).
 */
async function withAuthorizedIncludes(authorize: AuthorizeFn, req: Request, response: FhirResponse): Promise<FhirResponse> {
  const [outcome, bundle] = response;
  if (bundle?.resourceType !== 'Bundle' || !bundle.entry?.some((e) => e.search?.mode === 'include')) return response;
  // A denial sets a WWW-Authenticate challenge on the response; the answer here is still a 200.
  const challenge = req.res?.getHeader('WWW-Authenticate');
  const entry: NonNullable<Bundle['entry']> = [];
  for (const e of bundle.entry) {
    const resource = e.resource;
    if (e.search?.mode !== 'include' || !resource) {
      entry.push(e);
      continue;
    }
    const access: FhirAccess = { type: resource.resourceType, ...(resource.id ? { id: resource.id } : {}), interaction: 'read', resource };
    const allowed = await authorize(req, access).then(
      () => true,
      () => false,
    );
    if (allowed) entry.push(e);
  }
  if (challenge === undefined) req.res?.removeHeader('WWW-Authenticate');
  else req.res?.setHeader('WWW-Authenticate', challenge);
  const { entry: _all, ...rest } = bundle;
  return [outcome, { ...rest, ...(entry.length ? { entry } : {}) } as Bundle];
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

