import type { CapabilityStatement, Subscription } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import { PROFILE } from '../../fhir/codes.js';
import { reconcileMetrics } from '../metrics.js';
import type { EndpointRuntime, ValidateFn } from '../runtime.js';

/** Header carrying the shared secret on rest-hook notifications (R4 Subscription.channel.header). */
export const WEBHOOK_SECRET_HEADER = 'X-SP-Link-Webhook-Secret';
/** Every referral-management Task (Gravity: intent=order) at the endpoint; the rules decide what is SP Link's. */
export const SUBSCRIPTION_CRITERIA = 'Task?intent=order';

export function webhookUrl(publicUrl: string, endpointId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/reconcile/webhook/${encodeURIComponent(endpointId)}`;
}

export type SubscriptionState = 'created' | 'updated' | 'ok' | 'unsupported' | 'disabled';

function supportsRestHook(cs: CapabilityStatement): boolean {
  const sub = cs.rest?.flatMap((r) => r.resource ?? []).find((r) => r.type === 'Subscription');
  return Boolean(sub?.interaction?.some((i) => i.code === 'create'));
}

/**
 * Creates or repairs SP Link's rest-hook Subscription at an endpoint (R4 subscription.html): one per
 * webhook URL; re-requested when the server set it to `error`/`off` (e.g. after failed deliveries) or when
 * the criteria or the secret changed. Run at start and periodically; polling covers any gap.
 */
export async function ensureSubscription(rt: EndpointRuntime, o: { publicUrl: string; secret: string; validate: ValidateFn; log: Logger }): Promise<SubscriptionState> {
  if (!rt.config.subscriptions.enabled) return 'disabled';
  if (!supportsRestHook(await rt.lw.capabilityStatement())) return 'unsupported';
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
    await rt.lw.create(wanted);
    o.log.info({ endpoint: rt.id }, 'rest-hook subscription created');
    return 'created';
  }
  const healthy = mine.status === 'active' || mine.status === 'requested';
  const same = mine.criteria === SUBSCRIPTION_CRITERIA && JSON.stringify(mine.channel?.header ?? []) === JSON.stringify(header) && mine.channel?.payload === wanted.channel.payload;
  if (healthy && same) return 'ok';
  const next: Subscription = { ...wanted, id: mine.id };
  o.validate(next);
  await rt.lw.update(next, mine.meta?.versionId ? { ifMatch: mine.meta.versionId } : {});
  if (!healthy) reconcileMetrics.failures.inc({ endpoint: rt.id, stage: 'subscription' });
  o.log.info({ endpoint: rt.id, previousStatus: mine.status }, 'rest-hook subscription re-requested');
  return 'updated';
}
