import { Router } from 'express';
import type { Logger } from 'pino';
import { fhirErrorHandler } from '../../http/api-error.js';
import { BODY_LIMITS, jsonBody } from '../../http/body-limits.js';
import { reconcileMetrics } from '../metrics.js';
import { WEBHOOK_SECRET_HEADER } from '../feed/subscriptions.js';
import { secretMatches } from './secret.js';
import { isFhirId } from '../../referral-model/references.js';

export interface WebhookTarget {
  /** Whether the endpoint id is configured. */
  knows(endpointId: string): boolean;
  /** Accepts a notification for an endpoint; false when the endpoint is unknown. */
  notify(endpointId: string, taskIds: readonly string[]): boolean;
  readonly secret: string;
}

const outcome = (code: string, text: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: text }] });

/**
 * `POST /reconcile/webhook/:endpointId`: R4 rest-hook notifications from a link-worker endpoint. The shared
 * secret header is checked in constant time; a Task payload names the Task to fetch, an empty body ("ping")
 * triggers a change-feed run. Answers at once; the work happens in the background.
 */
export function webhookRouter(target: WebhookTarget, log?: Logger): Router {
  const router = Router();
  router.post(
    '/reconcile/webhook/:endpointId',
    ...jsonBody(BODY_LIMITS.webhook, ['application/fhir+json', 'application/json']),
    (req, res) => {
      const endpointId = String(req.params.endpointId);
      // Metric labels come from configuration only: every id that is not configured counts as `unknown`,
      // so made-up ids cannot each add a series.
      if (!target.knows(endpointId)) {
        reconcileMetrics.notifications.inc({ endpoint: 'unknown', result: 'unknown-endpoint' });
        res.status(404).type('application/fhir+json').json(outcome('not-found', 'no such link-worker endpoint'));
        return;
      }
      if (!secretMatches(req.get(WEBHOOK_SECRET_HEADER) ?? undefined, target.secret)) {
        reconcileMetrics.notifications.inc({ endpoint: endpointId, result: 'unauthorized' });
        res.status(401).type('application/fhir+json').json(outcome('login', 'missing or wrong webhook secret'));
        return;
      }
      const body = req.body as { resourceType?: string; id?: string; entry?: { resource?: { resourceType?: string; id?: string } }[] } | undefined;
      const ids: string[] = [];
      if (body?.resourceType === 'Task' && body.id) ids.push(body.id);
      for (const e of body?.resourceType === 'Bundle' ? (body.entry ?? []) : []) if (e.resource?.resourceType === 'Task' && e.resource.id) ids.push(e.resource.id);
      if (!target.notify(endpointId, ids.filter(isFhirId))) {
        reconcileMetrics.notifications.inc({ endpoint: 'unknown', result: 'unknown-endpoint' });
        res.status(404).type('application/fhir+json').json(outcome('not-found', 'no such link-worker endpoint'));
        return;
      }
      reconcileMetrics.notifications.inc({ endpoint: endpointId, result: 'accepted' });
      res.status(200).end();
    },
  );
  // A body too large, too deep or not JSON: an OperationOutcome like every other answer here.
  router.use(fhirErrorHandler(log, 'webhook notification'));
  return router;
}
