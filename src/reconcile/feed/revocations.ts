import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import { processBatch } from '../engine/process-batch.js';
import { isTaskStatus, isTerminalTaskStatus } from '../../referral-model/task-status.js';
import type { EndpointRuntime } from '../runtime.js';
import { advanceCursor, readCursor } from '../store/cursors.js';
import type { Lease } from '../store/leases.js';
import type { FeedDeps } from './change-feed.js';
import { isOnwardReferral } from '../../referral-model/onward-referral.js';
import { withdrawOnward } from '../engine/onward-relay.js';

const sweepKey = (endpointId: string, tenantId: string) => `${endpointId}::revocations::${tenantId}`;

/**
 * The loop works both ways (src/referral-model/README.md): a referral the GP revoked (or marked entered-in-error) in the EHR
 * must stop its Task even if the link worker never touches it again. Per EHR, ServiceRequests that moved to
 * those states since the last sweep are looked up at the endpoint (`Task?focus=<referral URL>`); their open
 * Tasks go through the normal pipeline, whose rules plan the cancellation. Runs under the endpoint lease.
 */
export async function sweepRevocations(deps: FeedDeps, rt: EndpointRuntime, lease: Lease): Promise<number> {
  let cancelled = 0;
  for (const tenant of rt.topology.tenants) {
    const ehr = rt.ehr.get(tenant.id);
    if (!ehr) continue;
    const key = sweepKey(rt.id, tenant.id);
    const { cursor } = await readCursor(deps.db, key);
    const since = cursor ? new Date(Date.parse(cursor) - deps.skewSeconds * 1000).toISOString() : undefined;
    let last: string | undefined;
    const params: Record<string, string> = { status: 'revoked,entered-in-error', _sort: '_lastUpdated', _count: String(deps.pageSize) };
    if (since) params._lastUpdated = `ge${since}`;
    for await (const page of ehr.searchAll<ServiceRequest>('ServiceRequest', params)) {
      for (const e of page.entry ?? []) {
        const sr = e.resource;
        if (sr?.resourceType !== 'ServiceRequest' || !sr.id) continue;
        last = sr.meta?.lastUpdated ?? last;
        const focus = `${ehr.baseUrl}/ServiceRequest/${sr.id}`;
        const found = await rt.lw.search<Task>('Task', { focus, _count: '50' });
        const open = (found.entry ?? []).flatMap((x) =>
          x.resource?.resourceType === 'Task' && isTaskStatus(x.resource.status) && !isTerminalTaskStatus(x.resource.status) ? [x.resource] : [],
        );
        if (open.length === 0) continue;
        // The referral's onward referrals are withdrawn with it, so no community group goes on contacting the person.
        const why = sr.status === 'entered-in-error' ? 'The referral was entered in error by the GP practice.' : 'The GP cancelled the referral.';
        for (const sub of open.filter(isOnwardReferral)) {
          if (await withdrawOnward(rt.lw, sub, { now: (deps.now ?? (() => new Date()))(), why }, deps.validate)) cancelled++;
        }
        const referrals = open.filter((t) => !isOnwardReferral(t));
        if (referrals.length === 0) continue;
        const out = await processBatch(deps, rt, lease, referrals, { force: true });
        cancelled += out.applied;
      }
    }
    if (last) {
      const at = last;
      await deps.db.transaction((tx) => advanceCursor(tx, lease, at, key));
    }
  }
  return cancelled;
}
