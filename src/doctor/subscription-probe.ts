import { randomUUID } from 'node:crypto';
import type { Subscription } from '@medplum/fhirtypes';
import type { FhirClient } from '../fhir/client.js';
import { PROFILE } from '../referral-model/codes.js';
import { WEBHOOK_SECRET_HEADER } from '../fhir/subscription-channel.js';
import { probeVersioning } from './behaviour-probes.js';
import type { DoctorCheck } from './types.js';

export interface SubscriptionProbeOptions {
  /** Where notifications would go (SP Link's webhook for this endpoint) and the secret they carry. */
  webhookUrl: string;
  secret: string;
  /** How long the server gets to activate it before the probe activates it as SP Link would (ms). */
  activationWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A probe Subscription like SP Link's own (its profile, rest-hook to SP Link's webhook, criteria that match no Task):
 * created, watched until `active` (activated as SP Link would when the server leaves it `requested`), used for the
 * versioning probes, then deleted. Answers what the reconciler will meet, without touching SP Link's real Subscription.
 */
export async function probeSubscription(endpoint: string, client: FhirClient, o: SubscriptionProbeOptions): Promise<DoctorCheck[]> {
  const sleep = o.sleep ?? pause;
  const probe: Subscription = {
    resourceType: 'Subscription',
    meta: { profile: [PROFILE.subscription] },
    status: 'requested',
    reason: 'SP Link doctor probe (removed when the check ends)',
    criteria: `Task?identifier=${encodeURIComponent(`urn:sp-link:doctor|${randomUUID()}`)}`,
    channel: { type: 'rest-hook', endpoint: o.webhookUrl, payload: 'application/fhir+json', header: [`${WEBHOOK_SECRET_HEADER}: ${o.secret}`] },
  };
  let created: Subscription & { id: string };
  try {
    const w = await client.create(probe);
    const id = w.id ?? w.resource?.id;
    if (!id) throw new Error('the server answered without the new id');
    created = (w.resource?.id ? w.resource : await client.read<Subscription>('Subscription', id)) as Subscription & { id: string };
  } catch (err) {
    return [
      {
        endpoint,
        check: 'Subscription: created with SP Link’s profile',
        status: 'FAIL',
        detail: (err as Error).message,
        fix: /StructureDefinition|403/.test((err as Error).message)
          ? 'The server refuses SP Link’s Subscription: grant system/Subscription.cruds and, where the server validates meta.profile with the client’s access (Medplum), system/StructureDefinition.rs; or set subscriptions.enabled: false (polling only).'
          : 'Grant system/Subscription.cruds to SP Link’s client, or set subscriptions.enabled: false to rely on polling.',
      },
    ];
  }
  const checks: DoctorCheck[] = [{ endpoint, check: 'Subscription: created with SP Link’s profile', status: 'PASS', detail: `Subscription/${created.id} (${created.status})` }];
  try {
    let current: Subscription = created;
    for (let waited = 0, step = 100; waited < o.activationWaitMs && current.status === 'requested'; waited += step, step = Math.min(step * 2, 1000)) {
      await sleep(Math.min(step, o.activationWaitMs - waited));
      current = await client.read<Subscription>('Subscription', created.id);
    }
    let how = 'the server activated it';
    if (current.status === 'requested') {
      const w = await client.update<Subscription>({ ...probe, id: created.id, status: 'active' }, current.meta?.versionId ? { ifMatch: current.meta.versionId } : {});
      current = w.resource ?? (await client.read<Subscription>('Subscription', created.id));
      how = 'the server left it requested; SP Link activates it, as it will its own';
    }
    const active = current.status === 'active';
    checks.push({
      endpoint,
      check: 'Subscription: reaches active',
      status: active ? 'PASS' : 'WARN',
      detail: active ? how : `status stays ${current.status ?? '(none)'}${current.error ? ` (${current.error})` : ''}`,
      ...(active ? {} : { fix: 'No notifications will arrive, so changes reach the GP at the polling interval only; ask the server’s administrator to allow rest-hook Subscriptions to SP Link’s webhook URL, or set subscriptions.enabled: false.' }),
    });
    checks.push(...(await probeVersioning(endpoint, client, current as Subscription & { id: string })));
  } catch (err) {
    checks.push({ endpoint, check: 'Subscription: reaches active', status: 'FAIL', detail: (err as Error).message, fix: 'The probe Subscription could not be read or updated; grant system/Subscription.cruds to SP Link’s client.' });
  } finally {
    try {
      await client.delete('Subscription', created.id);
      checks.push({ endpoint, check: 'Subscription: probe removed', status: 'PASS', detail: `Subscription/${created.id} deleted` });
    } catch (err) {
      checks.push({ endpoint, check: 'Subscription: probe removed', status: 'WARN', detail: (err as Error).message, fix: `Delete Subscription/${created.id} at this server by hand (its criteria match nothing).` });
    }
  }
  return checks;
}
