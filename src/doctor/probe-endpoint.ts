import type { Resource } from '@medplum/fhirtypes';
import type { FhirClient } from '../fhir/client.js';
import { IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import { webhookUrl } from '../fhir/subscription-channel.js';
import { probeLastUpdatedSearch, probeVersioning } from './behaviour-probes.js';
import { probeSubscription } from './subscription-probe.js';
import type { DoctorCheck, EndpointKind } from './types.js';

export interface BehaviourTarget {
  label: string;
  kind: EndpointKind;
  /** Link-worker endpoint id (for its webhook URL). */
  endpointId?: string;
  subscriptions?: { enabled: boolean; activationWaitSeconds?: number };
}

export interface BehaviourContext {
  /** server.publicUrl and reconcile.webhookSecret, for the Subscription probe; absent → that probe is skipped. */
  webhook?: { publicUrl: string; secret: string };
}

/** A resource SP Link itself maintains at this endpoint, for the versioning probes (updated unchanged only). */
async function ownResource(client: FhirClient, kind: EndpointKind): Promise<(Resource & { id: string }) | undefined> {
  const [type, system] = kind === 'ehr' ? (['ServiceRequest', IDENTIFIER_SYSTEM.referral] as const) : (['Task', IDENTIFIER_SYSTEM.referralTask] as const);
  const page = await client.search(type, { identifier: `${system}|`, _count: '1' });
  const r = page.entry?.[0]?.resource;
  return r?.id ? (r as Resource & { id: string }) : undefined;
}

/**
 * The behaviour probes of one endpoint, with SP Link's own credentials: polling search (link-worker), and the
 * versioning probes on a probe Subscription (created and removed) where SP Link keeps Subscriptions, else on a
 * referral or Task SP Link wrote there (updated with its own content, so nothing changes).
 */
export async function probeBehaviour(t: BehaviourTarget, client: FhirClient, ctx: BehaviourContext): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  if (t.kind === 'link-worker') checks.push(await probeLastUpdatedSearch(t.label, client));
  if (t.kind === 'link-worker' && t.subscriptions?.enabled && ctx.webhook && t.endpointId) {
    checks.push(
      ...(await probeSubscription(t.label, client, {
        webhookUrl: webhookUrl(ctx.webhook.publicUrl, t.endpointId),
        secret: ctx.webhook.secret,
        activationWaitMs: (t.subscriptions.activationWaitSeconds ?? 5) * 1000,
      })),
    );
    return checks;
  }
  let probe: (Resource & { id: string }) | undefined;
  try {
    probe = await ownResource(client, t.kind);
  } catch (err) {
    checks.push({ endpoint: t.label, check: 'versioning probes', status: 'SKIP', detail: `could not search for a resource SP Link wrote: ${(err as Error).message}` });
    return checks;
  }
  if (!probe) {
    const what = t.kind === 'ehr' ? 'referral (ServiceRequest)' : 'referral Task';
    checks.push({ endpoint: t.label, check: 'versioning probes', status: 'SKIP', detail: `no ${what} written by SP Link here yet; run the doctor again after the first referral` });
    return checks;
  }
  checks.push(...(await probeVersioning(t.label, client, probe)));
  return checks;
}
