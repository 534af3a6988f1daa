import { badRequest, matchesSearchRequest, OperationOutcomeError, parseSearchRequest } from '@medplum/core';
import type { Resource, Subscription } from '@medplum/fhirtypes';
import type { CommittedChange } from '../fhir-store/index.js';

/** A committed write, as the change journal reports it. */
export type Change = Pick<CommittedChange, 'interaction' | 'resource'>;

/** One notification to send: an R4 rest-hook POST (subscription.html#channels). */
export interface Delivery {
  readonly subscriptionId: string;
  readonly endpoint: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface NotifierLogger {
  warn(obj: object, msg: string): void;
}

export interface RestHookNotifierOptions {
  /** True while the Subscription is still active (checked before each delivery). */
  isActive: (subscriptionId: string) => Promise<boolean>;
  /** Records repeated failure on the Subscription (status=error + error text). */
  markError: (subscriptionId: string, message: string) => Promise<void>;
  logger?: NotifierLogger;
  /** Time budget per delivery: attempts, wait before each retry, and a timeout per attempt. */
  attempts?: number;
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
}

/**
 * When a `requested` rest-hook Subscription becomes `active` (R4 subscription.html#lifecycle): as it is stored
 * (`on-create`), shortly after by the server (`async`), or only when the client itself sets `active` (`by-client`).
 */
export type SubscriptionActivation = 'on-create' | 'async' | 'by-client';

/**
 * Validates a Subscription before it is stored and, with `on-create`, activates a `requested` rest-hook one,
 * as a server does once it accepts the criteria.
 */
export function prepareSubscription(resource: Resource, activation: SubscriptionActivation = 'on-create'): void {
  if (resource.resourceType !== 'Subscription') return;
  try {
    parseSearchRequest(resource.criteria);
  } catch {
    throw new OperationOutcomeError(badRequest(`Invalid Subscription.criteria: ${resource.criteria}`, 'Subscription.criteria'));
  }
  if (activation === 'on-create' && resource.status === 'requested' && resource.channel.type === 'rest-hook') resource.status = 'active';
}

/** The deliveries owed for committed changes: creates and updates matching an active rest-hook Subscription. */
export function matchDeliveries(changes: readonly Change[], subscriptions: readonly Resource[], now = Date.now()): Delivery[] {
  const active = subscriptions.filter(
    (s): s is Subscription & { id: string } =>
      s.resourceType === 'Subscription' &&
      s.status === 'active' &&
      s.channel.type === 'rest-hook' &&
      Boolean(s.channel.endpoint && s.id) &&
      !(s.end && Date.parse(s.end) < now),
  );
  const deliveries: Delivery[] = [];
  for (const change of changes) {
    if (change.interaction === 'delete' || change.resource.resourceType === 'Subscription') continue;
    for (const sub of active) {
      const search = parseSearchRequest(sub.criteria);
      if (search.resourceType !== change.resource.resourceType || !matchesSearchRequest(change.resource, search)) continue;
      const headers = Object.fromEntries(
        (sub.channel.header ?? [])
          .map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()] as const)
          .filter(([name]) => name.length > 0),
      );
      // No payload: an empty POST ("ping"); with a payload: the resource itself as FHIR JSON.
      const body = sub.channel.payload ? JSON.stringify(change.resource) : undefined;
      if (body) headers['Content-Type'] = 'application/fhir+json';
      deliveries.push({ subscriptionId: sub.id, endpoint: sub.channel.endpoint as string, headers, body });
    }
  }
  return deliveries;
}

/**
 * Sends rest-hook notifications for committed writes (fed from the change journal), never blocking the writes. Deliveries to one
 * Subscription go out in commit order; each gets `attempts` tries (5 s timeout each, waits of
 * 0.25 s then 1 s between), after which the Subscription is marked `error`.
 */
export class RestHookNotifier {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly attempts: number;
  private readonly delays: readonly number[];
  private readonly timeoutMs: number;

  constructor(private readonly opts: RestHookNotifierOptions) {
    this.attempts = opts.attempts ?? 3;
    this.delays = opts.retryDelaysMs ?? [250, 1000];
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** Queues deliveries; resolves when they have finished (delivered, given up on, or cancelled by `close`). */
  enqueue(deliveries: readonly Delivery[]): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    const queued: Promise<void>[] = [];
    for (const d of deliveries) {
      const previous = this.chains.get(d.subscriptionId) ?? Promise.resolve();
      const next = previous.then(() => this.deliver(d));
      queued.push(next);
      this.chains.set(d.subscriptionId, next);
      void next.finally(() => {
        if (this.chains.get(d.subscriptionId) === next) this.chains.delete(d.subscriptionId);
      });
    }
    return Promise.all(queued).then(() => undefined);
  }

  /** Resolves once every queued delivery (and any it led to) has finished. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Cancels in-flight deliveries and retries, then waits for the queues to drain. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  private async deliver(d: Delivery): Promise<void> {
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (this.abort.signal.aborted || !(await this.opts.isActive(d.subscriptionId).catch(() => false))) return;
      try {
        const res = await fetch(d.endpoint, {
          method: 'POST',
          headers: d.headers,
          body: d.body,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timeoutMs)]),
        });
        await res.body?.cancel();
        if (res.ok) return;
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
      const delay = this.delays[Math.min(attempt - 1, this.delays.length - 1)] ?? 0;
      if (attempt < this.attempts) await this.sleep(delay);
    }
    if (this.abort.signal.aborted) return;
    this.opts.logger?.warn({ subscriptionId: d.subscriptionId, attempts: this.attempts, error: lastError }, 'rest-hook delivery failed');
    try {
      await this.opts.markError(d.subscriptionId, `rest-hook delivery failed after ${this.attempts} attempts: ${lastError}`);
    } catch (err) {
      this.opts.logger?.warn({ subscriptionId: d.subscriptionId, err }, 'could not mark Subscription as error');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
