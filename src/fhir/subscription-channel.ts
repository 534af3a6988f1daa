import { joinUrl } from '../referral-model/references.js';

/**
 * SP Link's rest-hook channel (R4 Subscription.channel), shared by the reconciler that maintains its Subscriptions
 * and the doctor that probes them.
 */

/** Header carrying the shared secret on rest-hook notifications (R4 Subscription.channel.header). */
export const WEBHOOK_SECRET_HEADER = 'X-SP-Link-Webhook-Secret';

/** Where a link-worker endpoint's notifications go: `{publicUrl}/reconcile/webhook/{endpointId}`. */
export function webhookUrl(publicUrl: string, endpointId: string): string {
  return joinUrl(publicUrl, `reconcile/webhook/${encodeURIComponent(endpointId)}`);
}
