import type { CapabilityStatement, Subscription } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { WriteResult } from '../../fhir/client.js';
import { PROFILE } from '../../referral-model/codes.js';
import { WEBHOOK_SECRET_HEADER, webhookUrl } from '../../fhir/subscription-channel.js';
import { reconcileMetrics } from '../metrics.js';
import type { EndpointRuntime, ValidateFn } from '../runtime.js';

export { WEBHOOK_SECRET_HEADER, webhookUrl };

/** Every referral-management Task (Gravity: intent=order) at the endpoint; the rules decide what is SP Link's. */
export const SUBSCRIPTION_CRITERIA = 'Task?intent=order';

/**
 * What upkeep did: `created` / `updated` (re-requested) / `ok` end with an active Subscription; `requested` means
 * the server kept it requested even after SP Link activated it (no notifications will come: polling carries the
 * endpoint); `unsupported` / `disabled` mean polling only, by the server's or the configuration's choice.
 */
export type SubscriptionState = 'created' | 'updated' | 'ok' | 'requested' | 'unsupported' | 'disabled';

export interface SubscriptionCheck {
  readonly state: SubscriptionState;
  /** Subscription.status as the server last reported it. */
  readonly serverStatus?: Subscription['status'];
  readonly id?: string;
  /** SP Link set `active` itself because the server left the Subscription `requested` (e.g. Medplum). */
  readonly activatedByClient?: boolean;
}

export interface SubscriptionOptions {
  publicUrl: string;
  secret: string;
  validate: ValidateFn;
  log: Logger;
  /** How long the server gets to activate a `requested` Subscription before SP Link activates it (ms). Default 5 s. */
  activationWaitMs?: number;
  /** Force a re-request even if the Subscription looks healthy (notifications stopped arriving). */
  renew?: boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** The stored Subscription after a write: the server's answer, or a read when it answered without a body. */
async function written(rt: EndpointRuntime, res: WriteResult<Subscription>, sent: Subscription): Promise<Subscription> {
  if (res.resource) return res.resource;
  const id = res.id ?? sent.id;
  return id ? rt.lw.read<Subscription>('Subscription', id) : sent;
}

function supportsRestHook(cs: CapabilityStatement): boolean {
  const sub = cs.rest?.flatMap((r) => r.resource ?? []).find((r) => r.type === 'Subscription');
  return Boolean(sub?.interaction?.some((i) => i.code === 'create'));
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Creates or repairs SP Link's rest-hook Subscription at an endpoint (R4 subscription.html), one per webhook URL,
 * and sees it through the `requested` → `active` handshake: servers activate it themselves (at once or shortly
 * after: HAPI), or leave that to the client and only notify `active` ones (Medplum); so a Subscription still
 * `requested` after `activationWaitMs` is set `active` by SP Link. Re-requested when the server set it to
 * `error`/`off`, when its criteria or secret changed, or when notifications stopped arriving (`renew`). Run at
 * start and periodically; polling covers any gap.
 */
export async function ensureSubscription(rt: EndpointRuntime, o: SubscriptionOptions): Promise<SubscriptionCheck> {
  if (!rt.config.subscriptions.enabled) return { state: 'disabled' };
  if (!supportsRestHook(await rt.lw.capabilityStatement())) return { state: 'unsupported' };
  const endpoint = webhookUrl(o.publicUrl, rt.id);
  const header = [`${WEBHOOK_SECRET_HEADER}: ${o.secret}`];
  const found = await rt.lw.search<Subscription>('Subscription', { url: endpoint });
  const mine = (found.entry ?? []).map((e) => e.resource).find((s): s is Subscription => s?.resourceType === 'Subscription' && s.channel?.endpoint === endpoint);
  const wanted: Subscription = {
    resourceType: 'Subscription',
    meta: { profile: [PROFILE.subscription] },
    status: 'requested',
    reason: 'SP Link: reconcile referral Task changes into the GP record',
    criteria: SUBSCRIPTION_CRITERIA,
    channel: { type: 'rest-hook', endpoint, payload: 'application/fhir+json', header },
  };
  if (!mine) {
    o.validate(wanted);
    const created = await written(rt, await rt.lw.create(wanted), wanted);
    o.log.info({ endpoint: rt.id, status: created.status }, 'rest-hook subscription created');
    return handshake(rt, created, 'created', o);
  }
  const same = mine.criteria === SUBSCRIPTION_CRITERIA && JSON.stringify(mine.channel?.header ?? []) === JSON.stringify(header) && mine.channel?.payload === wanted.channel.payload;
  if (mine.status === 'active' && same && !o.renew) return { state: 'ok', serverStatus: 'active', ...(mine.id ? { id: mine.id } : {}) };
  if (mine.status === 'requested' && same && !o.renew) return handshake(rt, mine, 'ok', o);
  const next: Subscription = { ...wanted, id: mine.id };
  o.validate(next);
  const updated = await written(rt, await rt.lw.update(next, mine.meta?.versionId ? { ifMatch: mine.meta.versionId } : {}), next);
  if (mine.status === 'error' || mine.status === 'off' || o.renew) reconcileMetrics.failures.inc({ endpoint: rt.id, stage: 'subscription' });
  o.log.info({ endpoint: rt.id, previousStatus: mine.status, renew: Boolean(o.renew) }, 'rest-hook subscription re-requested');
  return handshake(rt, updated, 'updated', o);
}

/** Waits for the server to activate a requested Subscription, then activates it as the client if it did not. */
async function handshake(rt: EndpointRuntime, sub: Subscription, state: 'created' | 'updated' | 'ok', o: SubscriptionOptions): Promise<SubscriptionCheck> {
  const id = sub.id;
  if (sub.status !== 'requested' || !id) return { state, ...(sub.status ? { serverStatus: sub.status } : {}), ...(id ? { id } : {}) };
  const content = { ...sub };
  const sleep = o.sleep ?? pause;
  const waitMs = o.activationWaitMs ?? 5000;
  let current = sub;
  for (let waited = 0, step = 100; waited < waitMs && current.status === 'requested'; waited += step, step = Math.min(step * 2, 1000)) {
    await sleep(Math.min(step, waitMs - waited));
    current = await rt.lw.read<Subscription>('Subscription', id);
  }
  if (current.status !== 'requested') return { state, ...(current.status ? { serverStatus: current.status } : {}), id };
  // The server leaves activation to the client (Medplum notifies only `active` Subscriptions).
  const active: Subscription = { ...content, meta: { profile: [PROFILE.subscription] }, id, status: 'active' };
  o.validate(active);
  const after = await written(rt, await rt.lw.update(active, current.meta?.versionId ? { ifMatch: current.meta.versionId } : {}), active);
  if (after.status === 'active') {
    o.log.info({ endpoint: rt.id }, 'rest-hook subscription activated by SP Link: the server left it requested');
    return { state, serverStatus: 'active', id, activatedByClient: true };
  }
  o.log.warn({ endpoint: rt.id, status: after.status }, 'rest-hook subscription stays requested: no notifications will arrive, polling carries this endpoint');
  return { state: 'requested', ...(after.status ? { serverStatus: after.status } : {}), id };
}
