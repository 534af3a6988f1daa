import express, { type NextFunction, type Request, type Response } from 'express';
import { FhirHttpError } from '../../fhir/errors.js';
import { recordAudit } from '../../store/audit.js';
import { isManager } from '../domain/actor.js';
import { buildChangeBundle } from '../domain/change-bundle.js';
import type { Observation, Task } from '@medplum/fhirtypes';
import { readCase } from '../domain/case-state.js';
import { instrumentCodeOf } from '../../referral-model/outcome-observation.js';
import { ACTION_KINDS, isOutcomeFix, parseAction, type ActionKind } from '../domain/schemas.js';
import { relativeTo } from '../data/org-scope.js';
import type { LinkWorkerStore } from '../data/link-worker-store.js';
import { fixFormKey } from '../views/case-forms.js';
import type { CaseSection } from '../views/case-page.js';
import { buildChange, type ChangeContext } from '../domain/task-builders.js';
import { hadSessionCookie, wsSession } from '../auth/session.js';
import { issuedToCookieSession } from '../auth/csrf.js';
import type { FormState } from '../views/fields.js';
import { conflictPage, errorPage } from '../views/misc-pages.js';
import { todayOf, type WorkspaceDeps } from './context.js';
import { caseObservations, loadOwnedTask, renderCase } from './case-data.js';
import { endMeasureGap } from '../domain/end-measures.js';
import { completeConfirmPage } from '../views/complete-confirm.js';
import { authed, forbidden, requireActor, requireCsrf } from './guards.js';
import { FHIR_ID_PATTERN } from '../../referral-model/references.js';

const ID = FHIR_ID_PATTERN;
const SAVED: Record<ActionKind, string> = {
  accept: 'Referral accepted.', decline: 'Referral declined. The GP will be told.', assign: 'Case assigned.',
  contact: 'Contact attempt saved.', session: 'Session saved.', plan: 'Plan saved.', outcome: 'Outcome measure saved.',
  'correct-outcome': 'Outcome measure corrected. The GP record will be updated.', 'outcome-error': 'Outcome measure marked as recorded in error. The GP record will be updated.',
  safeguarding: 'Safeguarding concern raised. The GP will be told urgently.', needs: 'Needs updated. The GP sees the change and the reason in SP Link.', complete: 'Case completed. The summary goes to the GP.', close: 'Case closed.',
  signpost: 'Signposted. The referral has ended; the referrer is told what you offered.',
};

/** Where each save shows on the case page: the redirect scrolls there and the "Saved" banner sits there. */
const SECTION: Record<ActionKind, CaseSection> = {
  accept: 'case-summary', decline: 'case-summary', assign: 'case-summary', safeguarding: 'case-summary', needs: 'case-summary', complete: 'case-summary', close: 'case-summary', signpost: 'case-summary',
  contact: 'case-record', session: 'case-record', plan: 'case-record',
  outcome: 'outcomes', 'correct-outcome': 'outcomes', 'outcome-error': 'outcomes',
};

const isAction = (s: string): s is ActionKind => (ACTION_KINDS as string[]).includes(s);

/** The case page form an action came from (outcome has one form per instrument). */
function formKey(action: ActionKind, body: Record<string, unknown>): string {
  if (action === 'outcome' && typeof body.instrument === 'string' && ID.test(body.instrument)) return `outcome-${body.instrument}`;
  // One correction form per recorded measure (views/case-forms.ts fixFormKey).
  if (isOutcomeFix(action) && typeof body.observation === 'string' && ID.test(body.observation)) return fixFormKey(action, body.observation);
  return action;
}

/**
 * The recorded outcome Observation a correction names: it must be one of this case's outcome outputs
 * (so org scope follows from the Task's), read fresh from the link-worker endpoint. undefined → 404.
 */
async function loadCaseObservation(store: LinkWorkerStore, task: Task, id: unknown): Promise<Observation | undefined> {
  if (typeof id !== 'string' || !ID.test(id)) return undefined;
  const ours = readCase(task).outcomeRefs.some((r) => relativeTo(store.base, r) === `Observation/${id}`);
  if (!ours) return undefined;
  try {
    return await store.fhir.read<Observation>('Observation', id);
  } catch (err) {
    if (err instanceof FhirHttpError && (err.status === 404 || err.status === 410)) return undefined;
    throw err;
  }
}

/** Posted values worth keeping (no CSRF token, no version). */
function formValues(body: Record<string, unknown>): Record<string, unknown> {
  const { _csrf: _c, version: _v, ...rest } = body;
  return rest;
}

/**
 * A POST from a browser whose session timed out: keep the work in the new session and send the user to
 * sign in; after signing in the same form is shown filled in, to check and save. Nothing is written.
 * Only work posted from SP Link's own page in that very session is kept (the origin was checked before the
 * session was read, and the form's CSRF token must be the one issued to the session its cookie names); anything
 * else leaves the session as it is, so another site cannot sign the user out or plant text in a form.
 */
function stashIfSignedOut(req: Request, res: Response, next: NextFunction): void {
  if (req.session.ws?.actor) return next();
  const { id, action } = req.params as { id: string; action: string };
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (ID.test(id) && isAction(action) && JSON.stringify(body).length <= 32_000 && issuedToCookieSession(req)) {
    const ws = wsSession(req);
    ws.stash = { caseId: id, form: formKey(action, body), values: formValues(body) };
    ws.returnTo = `/workspace/cases/${id}`;
  }
  res.redirect(303, `/workspace/sign-in${hadSessionCookie(req) ? '?reason=expired' : ''}`);
}

export function caseRoutes(deps: WorkspaceDeps): express.Router {
  const r = express.Router();

  r.get('/cases/:id', requireActor, async (req, res) => {
    const { id } = req.params as { id: string };
    if (!ID.test(id)) return void res.status(404).type('html').send(errorPage({ status: 404, title: 'Case not found', message: 'There is no case with this reference.', actor: authed(res).actor, csrfToken: authed(res).csrf }));
    const store = await deps.store();
    const loaded = await loadOwnedTask(store, id, authed(res).actor, res);
    if (!loaded.ok) return;
    const ws = wsSession(req);
    const forms: Record<string, FormState> = {};
    let flash = ws.flash;
    delete ws.flash;
    const saved = ws.saved?.caseId === id && isAction(ws.saved.action) ? { section: SECTION[ws.saved.action], message: SAVED[ws.saved.action] } : undefined;
    delete ws.saved;
    if (ws.stash?.caseId === id) {
      forms[ws.stash.form] = { values: ws.stash.values, errors: {} };
      flash = 'You were signed out, but what you entered has been kept below. Check it and save it again.';
      delete ws.stash;
    }
    await renderCase(deps, store, res, { ...loaded, forms, flash, saved, query: req.query as Record<string, unknown> });
  });

  r.post('/cases/:id/:action', stashIfSignedOut, requireActor, requireCsrf, async (req, res) => {
    const { id, action } = req.params as { id: string; action: string };
    if (!ID.test(id) || !isAction(action)) return void res.status(404).type('html').send(errorPage({ status: 404, title: 'Page not found', message: 'There is no such action.', actor: authed(res).actor, csrfToken: authed(res).csrf }));
    const { actor } = authed(res);
    const store = await deps.store();
    const loaded = await loadOwnedTask(store, id, actor, res);
    if (!loaded.ok) return;
    if (action === 'assign' && !isManager(actor)) return forbidden(res, 'Only a service manager can assign cases.');
    const { task, scope } = loaded;
    let body = (req.body ?? {}) as Record<string, unknown>;
    const key = formKey(action, body);
    const now = deps.now();
    let observation: Observation | undefined;
    if (isOutcomeFix(action)) {
      observation = await loadCaseObservation(store, task, body.observation);
      if (!observation) return void res.status(404).type('html').send(errorPage({ status: 404, title: 'Outcome measure not found', message: 'This case has no such outcome measure.', actor, csrfToken: authed(res).csrf }));
      // The instrument (and so the score ranges) is the recorded measure's, whatever the form says.
      body = { ...body, instrument: instrumentCodeOf(observation) ?? '' };
    }
    const parsed = parseAction(action, body, todayOf(now));
    const staff = await store.staff(scope);
    const ctx: ChangeContext = {
      actor, now, maxContactAttempts: deps.workspace.maxContactAttempts, linkWorkerBase: store.base,
      actorRole: staff.find((m) => m.practitioner === actor.practitioner)?.reference,
      observation, followUpMonths: deps.workspace.followUpMonths,
    };
    const errors = parsed.ok ? {} : { ...parsed.errors };
    if (parsed.ok && action === 'assign') {
      const chosen = staff.find((m) => m.reference === (parsed.value as unknown as { linkWorker: string }).linkWorker);
      if (!chosen) errors.linkWorker = 'Select a link worker from your team';
      else ctx.assignee = { reference: chosen.reference, display: chosen.name };
    }
    if (parsed.ok && (action === 'plan' || action === 'signpost')) {
      ctx.serviceNames = Object.fromEntries((await store.directory()).map((d) => [d.id, d.name]));
      const unknown = (parsed.value as unknown as { services: string[] }).services.some((s) => !ctx.serviceNames![s]);
      if (unknown) errors.services = 'Select services from the directory';
    }
    if (parsed.ok && action === 'outcome') ctx.patientReference = await deps.patients.resolve(task);
    if (!parsed.ok || Object.keys(errors).length > 0) {
      return renderCase(deps, store, res, { task, scope, status: 400, forms: { [key]: { values: formValues(body), errors } } });
    }
    const version = typeof body.version === 'string' ? body.version : '';
    const seenObservation = typeof body.observationVersion === 'string' ? body.observationVersion : '';
    if (!version || version !== task.meta?.versionId || (observation && seenObservation !== observation.meta?.versionId)) {
      return void res.status(409).type('html').send(conflictPage({ actor, csrfToken: authed(res).csrf, caseId: id }));
    }
    if (action === 'complete' && body.confirm !== 'yes') {
      // Completing without end measures asks first: the message back could not show the GP what changed.
      const gap = endMeasureGap(await caseObservations(store, task));
      const { summary, socialOutcomes } = parsed.value as unknown as { summary: string; socialOutcomes: string[] };
      if (gap) return void res.type('html').send(completeConfirmPage({ actor, csrfToken: authed(res).csrf, caseId: id, version, summary, socialOutcomes, gap }));
    }
    const built = buildChange(action, task, parsed.value, ctx);
    if (!built.ok) {
      return renderCase(deps, store, res, { task, scope, status: 409, flash: built.message });
    }
    try {
      const organization = scope.orgId ? `Organization/${scope.orgId}` : undefined;
      await store.apply(buildChangeBundle(built.change, { ifMatchVersion: version, actor, organization, linkWorkerBase: store.base, now }));
    } catch (err) {
      if (err instanceof FhirHttpError && (err.status === 412 || err.status === 409)) {
        return void res.status(409).type('html').send(conflictPage({ actor, csrfToken: authed(res).csrf, caseId: id }));
      }
      throw err;
    }
    await recordAudit(deps.db, { actor: actor.sub, action: `workspace.${action}`, resourceRef: `Task/${id}`, details: { org: actor.orgOds, fromVersion: version } });
    wsSession(req).saved = { caseId: id, action };
    res.redirect(303, `/workspace/cases/${id}#${SECTION[action]}`);
  });

  return r;
}
