import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { Client, type FhirResponse, type RequestOptions, type SearchParams } from 'fhir-kit-client';
import type { Logger } from 'pino';
import { logger as rootLogger } from '../observability/logger.js';
import { fhirRequestDuration, fhirRetries } from '../observability/metrics.js';
import { noAuth, type AuthProvider } from './auth/types.js';
import { FhirError, FhirHttpError, FhirTransportError, safeUrl } from './errors.js';
import { toFhirError } from './error-mapping.js';
import { parseWriteResponse, type WriteResult } from './write-result.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, sleep, type RetryPolicy } from './retry.js';
import { isFhirId, isResourceTypeName, normaliseBaseUrl } from '../referral-model/references.js';

export type { WriteResult } from './write-result.js';
export type { SearchParams } from 'fhir-kit-client';

/*
 * Transport decision: every request goes through fhir-kit-client's Client (URL building, search query
 * strings, paging, JSON handling). Its transport is plain `fetch`, which gives us what we need without
 * forking it: a per-attempt AbortSignal for timeouts, per-request headers for auth and conditional
 * requests, and the raw Response (ETag, Location, Retry-After) via `Client.httpFor` or the error's
 * `config.headers`. We never set its shared `bearerToken` (it would race across concurrent refreshes);
 * the Authorization header is passed per request. Its `debug` namespace `fhir-kit-client:*` prints
 * request headers, so it must stay disabled outside local debugging.
 */

export interface FhirClientOptions {
  baseUrl: string;
  auth?: AuthProvider;
  /** Time budget per call; see RetryPolicy for the defaults. */
  retry?: Partial<RetryPolicy>;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Called with every resource SP Link is about to write (create, update, bundle entries); throw to refuse. */
  validate?: (resource: Resource) => void;
  logger?: Logger;
  /** Jitter source (tests). */
  random?: () => number;
  /**
   * The base a gateway in front of the server writes into `next` links (e.g. the server's internal address):
   * such links are read from `baseUrl` instead. Other links to another server are still refused.
   */
  nextLinkBase?: string;
}

/** What `searchAll` says when it refuses a `next` link; the reconciler shows such an endpoint as stalled. */
export const NEXT_LINK_REFUSED = 'next link points to another server';

export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface BundleOptions extends CallOptions {
  /** The caller asserts that re-sending this bundle is harmless (e.g. every entry is conditional). */
  retrySafe?: boolean;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);


function checkId(kind: string, id: string): void {
  if (!isFhirId(id)) throw new TypeError(`invalid FHIR ${kind} "${id}": expected [A-Za-z0-9-.]{1,64}`);
}

function checkType(type: string): void {
  if (!isResourceTypeName(type)) throw new TypeError(`invalid FHIR resource type "${type}"`);
}

function ifMatchHeader(v: string): string {
  return v.startsWith('W/') || v.startsWith('"') ? v : `W/"${v}"`;
}

function queryString(q: string | SearchParams): string {
  if (typeof q === 'string') return q.replace(/^\?/, '');
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, String(x));
  return p.toString();
}

interface Exchange<T> {
  body: T;
  response: Response | undefined;
}

/** One FHIR server, SP Link's identity at it, and the time budget of every call. */
export class FhirClient {
  readonly baseUrl: string;
  readonly policy: Readonly<RetryPolicy>;
  private readonly fkc: Client;
  private readonly auth: AuthProvider;
  private readonly log: Logger;

  constructor(private readonly opts: FhirClientOptions) {
    this.baseUrl = normaliseBaseUrl(opts.baseUrl);
    this.policy = Object.freeze({ ...DEFAULT_RETRY_POLICY, ...opts.retry });
    this.fkc = new Client({ baseUrl: this.baseUrl, customHeaders: opts.headers });
    this.auth = opts.auth ?? noAuth;
    this.log = (opts.logger ?? rootLogger).child({ module: 'fhir-client', fhirBase: this.baseUrl });
  }

  async read<T extends Resource = Resource>(type: T['resourceType'], id: string, o: CallOptions = {}): Promise<T> {
    checkType(type);
    checkId('id', id);
    return (await this.exchange<T>('GET', `${type}/${id}`, true, o, (x) => this.fkc.read({ resourceType: type, id, options: x }))).body;
  }

  async vread<T extends Resource = Resource>(type: T['resourceType'], id: string, versionId: string, o: CallOptions = {}): Promise<T> {
    checkType(type);
    checkId('id', id);
    checkId('versionId', versionId);
    const path = `${type}/${id}/_history/${versionId}`;
    return (await this.exchange<T>('GET', path, true, o, (x) => this.fkc.vread({ resourceType: type, id, version: versionId, options: x }))).body;
  }

  async search<T extends Resource = Resource>(type: T['resourceType'], params: SearchParams = {}, o: CallOptions = {}): Promise<Bundle<T>> {
    checkType(type);
    const qs = queryString(params);
    const path = qs ? `${type}?${qs}` : type;
    return (await this.exchange<Bundle<T>>('GET', path, true, o, (x) => this.fkc.search({ resourceType: type, searchParams: params, options: x }))).body;
  }

  /** Every page of a search, following `next` links. Refuses links to another server (our token must not leak). */
  async *searchAll<T extends Resource = Resource>(type: T['resourceType'], params: SearchParams = {}, o: CallOptions = {}): AsyncGenerator<Bundle<T>> {
    let page = await this.search<T>(type, params, o);
    const seen = new Set<string>();
    for (;;) {
      yield page;
      const given = page.link?.find((l) => l.relation === 'next')?.url;
      if (!given) return;
      const next = this.rebaseNextLink(given);
      if (new URL(next, this.baseUrl).origin !== new URL(this.baseUrl).origin) {
        throw new FhirHttpError(200, 'GET', safeUrl(next), undefined, undefined, NEXT_LINK_REFUSED);
      }
      if (seen.has(next)) throw new FhirHttpError(200, 'GET', safeUrl(next), undefined, undefined, 'next link repeats an earlier page');
      seen.add(next);
      page = (await this.exchange<Bundle<T>>('GET', next, true, o, (x) => this.fkc.request(next, { method: 'GET', options: x }))).body;
    }
  }

  /** A `next` link under `nextLinkBase`, moved onto `baseUrl` (same path and query below the base). */
  private rebaseNextLink(link: string): string {
    const from = this.opts.nextLinkBase && normaliseBaseUrl(this.opts.nextLinkBase);
    if (!from || !(link === from || link.startsWith(`${from}/`) || link.startsWith(`${from}?`))) return link;
    return this.baseUrl + link.slice(from.length);
  }

  /** Creates a resource; with `ifNoneExist` (FHIR conditional create) an existing match is returned instead (`created: false`). */
  async create<T extends Resource>(resource: T, o: CallOptions & { ifNoneExist?: string | SearchParams } = {}): Promise<WriteResult<T>> {
    checkType(resource.resourceType);
    this.opts.validate?.(resource);
    const headers: Record<string, string> = { prefer: 'return=representation', ...o.headers };
    if (o.ifNoneExist) headers['if-none-exist'] = queryString(o.ifNoneExist);
    const ex = await this.exchange<T>('POST', resource.resourceType, Boolean(o.ifNoneExist), { ...o, headers }, (x) =>
      this.fkc.create({ resourceType: resource.resourceType, body: resource as unknown as FhirResponse, options: x }),
    );
    return parseWriteResponse(ex.body, ex.response);
  }

  /** Updates by id; `ifMatch` (a versionId or an ETag) makes it a versioned update that fails with 412 when stale. */
  async update<T extends Resource>(resource: T, o: CallOptions & { ifMatch?: string } = {}): Promise<WriteResult<T>> {
    if (!resource.id) throw new TypeError(`update needs ${resource.resourceType}.id`);
    checkType(resource.resourceType);
    checkId('id', resource.id);
    this.opts.validate?.(resource);
    const headers: Record<string, string> = { prefer: 'return=representation', ...o.headers };
    if (o.ifMatch) headers['if-match'] = ifMatchHeader(o.ifMatch);
    const ex = await this.exchange<T>('PUT', `${resource.resourceType}/${resource.id}`, true, { ...o, headers }, (x) =>
      this.fkc.update({ resourceType: resource.resourceType, id: resource.id, body: resource as unknown as FhirResponse, options: x }),
    );
    return parseWriteResponse(ex.body, ex.response);
  }

  async delete(type: Resource['resourceType'], id: string, o: CallOptions = {}): Promise<void> {
    checkType(type);
    checkId('id', id);
    await this.exchange('DELETE', `${type}/${id}`, true, o, (x) => this.fkc.delete({ resourceType: type, id, options: x }));
  }

  /** Atomic transaction Bundle. Not retried unless the caller marks it `retrySafe`. */
  async transaction(bundle: Bundle, o: BundleOptions = {}): Promise<Bundle> {
    return this.postBundle('transaction', bundle, o);
  }

  /** Batch Bundle (entries independent). Not retried unless the caller marks it `retrySafe`. */
  async batch(bundle: Bundle, o: BundleOptions = {}): Promise<Bundle> {
    return this.postBundle('batch', bundle, o);
  }

  async capabilityStatement(o: CallOptions = {}): Promise<CapabilityStatement> {
    return (await this.exchange<CapabilityStatement>('GET', 'metadata', true, o, (x) => this.fkc.capabilityStatement(x))).body;
  }

  /**
   * Any other interaction (operations, history). `path` is relative to the base (an absolute URL must be on
   * the same server: our credentials go with it). Only idempotent methods are retried.
   */
  async request<T = unknown>(method: string, path: string, body?: unknown, o: CallOptions = {}): Promise<T> {
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) && new URL(path).origin !== new URL(this.baseUrl).origin) {
      throw new TypeError(`refusing to send a request for ${new URL(path).origin} through the client for ${this.baseUrl}`);
    }
    const m = method.toUpperCase();
    const rel = path.replace(/^\/+/, '');
    const headers = body === undefined ? o.headers : { 'content-type': 'application/fhir+json', ...o.headers };
    return (
      await this.exchange<T>(m, rel, IDEMPOTENT.has(m), { ...o, headers }, (x) =>
        this.fkc.request(rel, { method: m as 'GET', options: x, body }),
      )
    ).body;
  }

  private async postBundle(type: 'transaction' | 'batch', bundle: Bundle, o: BundleOptions): Promise<Bundle> {
    if (bundle.type !== type) throw new TypeError(`expected a Bundle of type ${type}, got ${bundle.type}`);
    if (this.opts.validate) for (const e of bundle.entry ?? []) if (e.resource) this.opts.validate(e.resource);
    const call = (x: RequestOptions) =>
      type === 'transaction'
        ? this.fkc.transaction({ body: bundle as unknown as FhirResponse, options: x })
        : this.fkc.batch({ body: bundle as unknown as FhirResponse, options: x });
    return (await this.exchange<Bundle>('POST', '', Boolean(o.retrySafe), o, call)).body;
  }

  /**
   * One logical call: attempts with a per-attempt timeout, one token refresh on 401, and retries on
   * 408/429/5xx/network errors with full-jitter backoff or the server's Retry-After. Non-idempotent
   * requests are retried only when `retrySafe` (conditional create, caller-marked bundle) or when the
   * connection was refused, i.e. nothing was sent.
   */
  private async exchange<T>(
    method: string,
    path: string,
    retrySafe: boolean,
    o: CallOptions,
    call: (x: RequestOptions) => Promise<FhirResponse>,
  ): Promise<Exchange<T>> {
    const url = safeUrl(path.startsWith('http') ? path : `${this.baseUrl}/${path}`);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let credential: string | undefined;
      const end = fhirRequestDuration.startTimer({ method });
      try {
        credential = await this.auth.authorization(o.signal);
        const headers = { ...o.headers, ...(credential ? { authorization: credential } : {}) };
        const signal = AbortSignal.any([AbortSignal.timeout(this.policy.timeoutMs), ...(o.signal ? [o.signal] : [])]);
        const body = await call({ headers, signal });
        const response = Client.httpFor(body).response;
        end({ outcome: String(response?.status ?? 200) });
        return { body: body as unknown as T, response };
      } catch (raw) {
        if (o.signal?.aborted) throw raw;
        const err = toFhirError(raw, method, url);
        end({ outcome: err instanceof FhirHttpError ? String(err.status) : err instanceof FhirError ? err.code : 'error' });
        if (!(err instanceof FhirError)) throw err;
        // A 401 means the request was not processed: refresh the token once and resend, whatever the method.
        if (err instanceof FhirHttpError && err.status === 401 && !refreshed && this.auth.invalidate(credential)) {
          refreshed = true;
          attempt--;
          fhirRetries.inc({ reason: '401' });
          continue;
        }
        const sendable = retrySafe || err.code === 'ERR_FHIR_AUTH' || (err instanceof FhirTransportError && err.notSent);
        if (!err.transient || !sendable || attempt >= this.policy.maxAttempts) throw err;
        let delay = backoffDelay(attempt, this.policy, this.opts.random);
        if (err instanceof FhirHttpError && err.retryAfterMs !== undefined) {
          if (err.retryAfterMs > this.policy.maxDelayMs) throw err; // the caller reschedules; we do not block that long
          delay = err.retryAfterMs;
        }
        const reason = err instanceof FhirHttpError ? String(err.status) : err.code;
        fhirRetries.inc({ reason });
        this.log.warn({ method, url, attempt, delayMs: delay, reason }, 'fhir request failed; retrying');
        await sleep(delay, o.signal);
      }
    }
  }
}
