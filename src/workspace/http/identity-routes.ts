import express from 'express';
import type { Patient, Task } from '@medplum/fhirtypes';
import { FhirHttpError } from '../../fhir/errors.js';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { referralSourceLabel, referralSourceLabelOf } from '../../referral-model/referral-source.js';
import { isTerminalTaskStatus } from '../../referral-model/task-status.js';
import { gpRecordRow } from '../../referrals/gp-record.js';
import { recordAudit } from '../../store/audit.js';
import { awaitingReview, communityReferral, recordReview } from '../../store/community-referrals.js';
import { isManager } from '../domain/actor.js';
import { buildChangeBundle } from '../domain/change-bundle.js';
import { identityCheck, reviewCandidates } from '../domain/identity-check.js';
import { applyReview, parseReview, recordSummary, reviewRecord } from '../domain/identity-review.js';
import { patientCopy, patientName, referralCopy } from '../domain/referral-details.js';
import { taskOwnedBy } from '../data/org-scope.js';
import type { LinkWorkerStore } from '../data/link-worker-store.js';
import { reviewPage, reviewQueuePage } from '../views/identity-views.js';
import { conflictPage, errorPage } from '../views/misc-pages.js';
import type { FormState } from '../views/fields.js';
import type { WorkspaceDeps } from './context.js';
import { authed, forbidden, requireActor, requireCsrf } from './guards.js';
import { wsSession } from '../auth/session.js';

/** SP Link's referral references (`SPL-XXXX-XXXX`) and agency systems' own: ids only. */
const REFERENCE = /^[A-Za-z0-9-]{1,64}$/;

/** The Tasks of these referrals at the link-worker endpoint, by referral reference (one search). */
async function tasksByReference(store: LinkWorkerStore, refs: readonly string[]): Promise<Map<string, Task>> {
  const out = new Map<string, Task>();
  if (refs.length === 0) return out;
  const b = await store.fhir.search<Task>('Task', { identifier: refs.map((r) => `${IDENTIFIER_SYSTEM.referralTask}|${r}`).join(','), _count: String(Math.min(refs.length, 200)) });
  for (const e of b.entry ?? []) {
    const ref = e.resource?.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.referralTask)?.value;
    if (e.resource?.resourceType === 'Task' && ref) out.set(ref, e.resource);
  }
  return out;
}

/**
 * The service manager's identity checks: the queue of self- and agency referrals SP Link could not link to a GP record
 * with confidence, and the review of one (link to a record the evidence names, or confirm none is the person). The
 * decision goes on the Task (If-Match, Provenance naming the manager), then into `community_referrals.review`, and the
 * audit trail.
 */
export function identityRoutes(deps: WorkspaceDeps): express.Router {
  const r = express.Router();
  const endpointId = deps.workspace.linkWorkerEndpoint;

  r.use('/identity-reviews', requireActor, (_req, res, next) => (isManager(authed(res).actor) ? next() : forbidden(res, 'Identity checks are for service managers.')));

  r.get('/identity-reviews', async (req, res) => {
    const { actor, csrf } = authed(res);
    const store = await deps.store();
    const rows = await awaitingReview(deps.db, endpointId);
    const [scope, tasks] = await Promise.all([store.scope(actor.orgOds), tasksByReference(store, rows.slice(0, 200).map((x) => x.taskIdentifier))]);
    const flash = wsSession(req).flash;
    delete wsSession(req).flash;
    res.type('html').send(reviewQueuePage({
      actor, csrfToken: csrf, now: deps.now(), ...(flash ? { flash } : {}),
      rows: rows.flatMap((row) => {
        const task = tasks.get(row.taskIdentifier);
        // Another organisation's referrals at a shared endpoint are theirs to review; a referral already ended
        // (declined, signposted, closed) needs no decision.
        if (task && (!taskOwnedBy(task, scope, store.base) || isTerminalTaskStatus(task.status))) return [];
        const c = identityCheck(row);
        return [{ referralId: row.referralId, ...(task?.id ? { caseId: task.id } : {}), name: (task && patientName(task)) ?? 'Name not given', source: task ? referralSourceLabelOf(task) : referralSourceLabel(row.source, row.source !== 'agency' || Boolean(row.clientId)), submittedAt: row.submittedAt, outcomeLabel: c.outcomeLabel, reason: c.reason }];
      }),
    }));
  });

  type Loaded = { ok: false } | { ok: true; row: NonNullable<Awaited<ReturnType<typeof communityReferral>>>; task: Task };
  async function load(store: LinkWorkerStore, ref: string, res: express.Response): Promise<Loaded> {
    const { actor, csrf } = authed(res);
    const row = REFERENCE.test(ref) ? await communityReferral(deps.db, ref) : undefined;
    const task = row && row.endpointId === endpointId ? (await tasksByReference(store, [row.taskIdentifier])).get(row.taskIdentifier) : undefined;
    if (!row || !task) {
      res.status(404).type('html').send(errorPage({ actor, csrfToken: csrf, status: 404, title: 'Identity check not found', message: 'There is no referral with this reference.', link: { href: '/workspace/identity-reviews', text: 'Back to identity checks' } }));
      return { ok: false };
    }
    if (!taskOwnedBy(task, await store.scope(actor.orgOds), store.base)) {
      forbidden(res, 'This referral belongs to another organisation.');
      return { ok: false };
    }
    return { ok: true, row, task };
  }

  /** Each candidate's GP record, read now with SP Link's backend identity at that practice's EHR. */
  async function records(check: ReturnType<typeof identityCheck>) {
    return Promise.all(reviewCandidates(check).map(async (view) => {
      try {
        const client = deps.ehrClient(view.tenantId);
        return { view, record: client ? recordSummary(await (await client).read<Patient>('Patient', view.patientId)) : undefined };
      } catch (err) {
        deps.logger.warn({ err: (err as Error).message, tenantId: view.tenantId }, 'identity check: a candidate record could not be read');
        return { view, record: undefined };
      }
    }));
  }

  async function render(res: express.Response, l: Extract<Loaded, { ok: true }>, form: FormState, status = 200): Promise<void> {
    const { actor, csrf } = authed(res);
    const check = identityCheck(l.row);
    const described = patientCopy(l.task, referralCopy(l.task));
    res.status(status).type('html').send(reviewPage({
      actor, csrfToken: csrf, check, ...(l.task.id ? { caseId: l.task.id } : {}), version: l.task.meta?.versionId ?? '',
      person: recordSummary(described), candidates: await records(check), form,
    }));
  }

  r.get('/identity-reviews/:ref', async (req, res) => {
    const store = await deps.store();
    const l = await load(store, String(req.params.ref), res);
    if (l.ok) await render(res, l, { values: {}, errors: {} });
  });

  r.post('/identity-reviews/:ref', requireCsrf, async (req, res) => {
    const { actor, csrf } = authed(res);
    const store = await deps.store();
    const l = await load(store, String(req.params.ref), res);
    if (!l.ok) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const check = identityCheck(l.row);
    if (!check.awaitingReview) {
      return void res.status(409).type('html').send(errorPage({ actor, csrfToken: csrf, status: 409, title: 'Already decided', message: 'Someone has already decided who this person is. Nothing was changed.', link: { href: `/workspace/identity-reviews/${l.row.referralId}`, text: 'See the decision' } }));
    }
    const parsed = parseReview(body, check);
    const values = { decision: body.decision, note: body.note };
    if (!parsed.ok) return render(res, l, { values, errors: parsed.errors }, 400);
    const version = typeof body.version === 'string' ? body.version : '';
    if (!version || version !== l.task.meta?.versionId) return void res.status(409).type('html').send(conflictPage({ actor, csrfToken: csrf, caseId: l.task.id! }));
    const now = deps.now();
    let nhsNumber: string | undefined;
    if (parsed.value.decision === 'linked') {
      const client = deps.ehrClient(parsed.value.tenantId);
      nhsNumber = client ? recordSummary(await (await client).read<Patient>('Patient', parsed.value.patientId)).nhsNumber : undefined;
    }
    const built = applyReview(l.task, parsed.value, { ...(nhsNumber ? { nhsNumber } : {}) }, { actor, now, maxContactAttempts: deps.workspace.maxContactAttempts });
    if (!built.ok) return render(res, l, { values, errors: { decision: built.message } }, 409);
    try {
      const scope = await store.scope(actor.orgOds);
      await store.apply(buildChangeBundle(built.change, { ifMatchVersion: version, actor, ...(scope.orgId ? { organization: `Organization/${scope.orgId}` } : {}), linkWorkerBase: store.base, now }));
    } catch (err) {
      if (err instanceof FhirHttpError && (err.status === 412 || err.status === 409)) return void res.status(409).type('html').send(conflictPage({ actor, csrfToken: csrf, caseId: l.task.id! }));
      throw err;
    }
    // After the Task (its If-Match refuses a second manager who saw the same version); the row takes one decision only.
    const review = reviewRecord(parsed.value, { actor, now });
    const linked = parsed.value.decision === 'linked' ? parsed.value : undefined;
    // Linked, and the person agreed that their GP is told: the referral goes into that practice's record, and its
    // Task is then pointed there (the reconciler's outbox), as when matching links the person at once.
    const practice = linked ? deps.config.tenants.find((t) => t.id === linked.tenantId) : undefined;
    const gpRow = linked && practice && nhsNumber && l.row.shareWithGp && deps.outbox
      ? gpRecordRow(built.change.task, { tenantId: linked.tenantId, endpointId, referralId: l.row.referralId, patientId: linked.patientId, nhsNumber, practice, now })
      : undefined;
    await deps.db.transaction(async (tx) => {
      const first = await recordReview(tx, l.row.referralId, review as unknown as Record<string, unknown>, linked?.patientId, linked?.tenantId);
      if (first && gpRow) await deps.outbox!.enqueueGpRecord(tx, gpRow);
      await recordAudit(tx, {
        actor: actor.sub, action: 'workspace.identity-review', ...(linked ? { tenantId: linked.tenantId } : {}), resourceRef: `community-referral/${l.row.referralId}`,
        details: { org: actor.orgOds, decision: review.decision, ...(linked ? { patientId: linked.patientId } : {}), candidates: reviewCandidates(check).length, task: `Task/${l.task.id}`, gpRecord: Boolean(gpRow) },
      });
    });
    wsSession(req).flash = review.decision === 'linked' ? `${l.row.referralId}: linked to the GP record.` : `${l.row.referralId}: recorded that no GP record is this person.`;
    res.redirect(303, '/workspace/identity-reviews');
  });

  return r;
}
