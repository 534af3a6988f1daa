import { badRequest, getStatus, isOk, OperationOutcomeError } from '@medplum/core';
import type { FhirRequest, FhirResponse, HttpMethod } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import express from 'express';
import type { Request, Response, Router } from 'express';
import { fhirErrorHandler } from '../http/api-error.js';
import { BODY_LIMITS, formBody, jsonBody } from '../http/body-limits.js';
import { decorateBatchResponse, decoratePagedBundle, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, versionUrl } from './bundles.js';
import type { QueryParams } from './bundles.js';

export const FHIR_JSON = 'application/fhir+json';
const JSON_TYPES = [FHIR_JSON, 'application/json', 'application/json-patch+json', 'application/*+json'];
const METHODS = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** What the HTTP adapter needs from a sandbox server; it knows nothing of the repository. */
export interface FhirHttpBinding {
  readonly baseUrl: string;
  /** The serialised CapabilityStatement, after the `metadata` interaction is authorised. */
  metadata(req: Request): Promise<string>;
  /** The route interaction for a method + relative URL, or undefined when nothing matches. */
  interactionOf(method: HttpMethod, url: string): string | undefined;
  /** Runs one FHIR request: serialised, authorised, committed. */
  handle(fhirReq: FhirRequest, req: Request): Promise<FhirResponse>;
}

/**
 * Express adapter for a FHIR server: FHIR JSON in and out, every error an OperationOutcome with
 * its status, and the HTTP semantics the router leaves to its host (R4 http.html): ETag,
 * Last-Modified, Location, Prefer, If-None-Match, absolute fullUrls and paging links.
 */
export function createFhirHttpRouter(binding: FhirHttpBinding): Router {
  const router = express.Router();
  router.use(jsonBody(BODY_LIMITS.fhir, JSON_TYPES));
  router.use(formBody(BODY_LIMITS.fhirSearchForm, 1000));

  router.get('/metadata', async (req, res) => {
    sendJson(res, 200, await binding.metadata(req));
  });

  router.use(async (req, res) => {
    const method = (req.method === 'HEAD' ? 'GET' : req.method) as HttpMethod;
    if (!METHODS.has(method)) return sendOutcome(res, 405, badRequest(`Method ${req.method} not allowed`));
    if (['POST', 'PUT', 'PATCH'].includes(method) && req.body === undefined && !req.path.endsWith('/_search')) {
      return sendOutcome(res, 415, unsupportedMediaType(req.get('content-type')));
    }
    const url = pageableUrl(method, req.url.replace(/^\/+/, ''), binding);
    const started = new Date().toISOString();
    const fhirReq: FhirRequest = {
      method,
      url,
      pathname: '',
      body: req.body,
      params: {},
      query: {},
      headers: req.headers,
      config: { transactions: true },
    };
    const [outcome, resource] = await binding.handle(fhirReq, req);
    const status = getStatus(outcome);
    if (!isOk(outcome) || !resource) return sendOutcome(res, status, outcome);
    if (resource.resourceType === 'Bundle' && (resource.type === 'searchset' || resource.type === 'history')) {
      const path = url.split('?')[0] ?? '';
      const query: QueryParams = { ...fhirReq.query, ...(path.endsWith('/_search') ? (req.body as QueryParams) : {}) };
      return sendJson(res, 200, decoratePagedBundle(resource, binding.baseUrl, path.replace(/\/_search$/, ''), query));
    }
    if (resource.resourceType === 'Bundle' && /-response$/.test(resource.type ?? '')) {
      return sendJson(res, 200, decorateBatchResponse(resource as Bundle, binding.baseUrl));
    }
    sendResource(req, res, method, status, outcome, resource, started, binding.baseUrl);
  });

  // Bodies too large, too deep or unreadable, and anything thrown: an OperationOutcome, never an internal message.
  router.use(fhirErrorHandler(undefined, 'sandbox FHIR request'));
  return router;
}

/** Search URLs get a bounded `_count` so every response is a page with working `next` links. */
function pageableUrl(method: HttpMethod, url: string, binding: FhirHttpBinding): string {
  if (method !== 'GET') return url;
  const interaction = binding.interactionOf(method, url);
  if (interaction !== 'search-type' && interaction !== 'history-type' && interaction !== 'history-instance') return url;
  const [path, qs] = [url.split('?')[0], url.includes('?') ? url.slice(url.indexOf('?') + 1) : ''];
  const params = new URLSearchParams(qs);
  const requested = Number(params.get('_count') ?? DEFAULT_PAGE_SIZE);
  const count = Number.isFinite(requested) ? Math.min(Math.max(Math.trunc(requested), 0), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  params.set('_count', String(count));
  const offset = Number(params.get('_offset') ?? 0);
  if (!Number.isInteger(offset) || offset < 0) throw new OperationOutcomeError(badRequest('_offset must be a non-negative integer'));
  return `${path}?${params.toString()}`;
}

function sendResource(
  req: Request,
  res: Response,
  method: HttpMethod,
  status: number,
  outcome: OperationOutcome,
  resource: Resource,
  started: string,
  baseUrl: string,
): void {
  const { versionId, lastUpdated } = resource.meta ?? {};
  const etag = versionId ? `W/"${versionId}"` : undefined;
  if (etag) res.set('ETag', etag);
  if (lastUpdated) res.set('Last-Modified', new Date(lastUpdated).toUTCString());
  // Update-as-create answers 201 like a create (R4 http.html#update).
  const createdNow = status === 201 || (method === 'PUT' && versionId === '1' && (lastUpdated ?? '') >= started);
  if (createdNow && resource.id) res.set('Location', versionUrl(baseUrl, resource));
  if (method === 'GET' && etag && req.get('if-none-match') === etag) {
    res.status(304).end();
    return;
  }
  const finalStatus = createdNow ? 201 : status;
  const prefer = method === 'GET' ? undefined : /return=([a-zA-Z]+)/.exec(req.get('prefer') ?? '')?.[1];
  if (prefer === 'minimal') {
    res.status(finalStatus).end();
    return;
  }
  sendJson(res, finalStatus, prefer === 'OperationOutcome' ? outcome : resource);
}

function unsupportedMediaType(contentType: string | undefined): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'not-supported', details: { text: `Unsupported Content-Type ${contentType ?? '(none)'}; send ${FHIR_JSON}` } }],
  };
}

export function sendOutcome(res: Response, status: number, outcome: OperationOutcome): void {
  sendJson(res, status, outcome);
}

/** `res.end`, not `res.send`: express would add its own body-hash ETag and answer 304s on it. */
function sendJson(res: Response, status: number, body: unknown): void {
  const buf = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  res.status(status).set('Content-Type', `${FHIR_JSON}; charset=utf-8`).set('Content-Length', String(buf.length));
  res.end(buf);
}
