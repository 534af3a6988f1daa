import express from 'express';
import type { Task } from '@medplum/fhirtypes';
import { FhirHttpError } from '../../fhir/errors.js';
import { recordAudit } from '../../store/audit.js';
import { FHIR_ID_PATTERN } from '../../referral-model/references.js';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import {
  ONWARD_ACTIONS, applyOnwardAction, canReferOnward, isOnwardAction, isOnwardReferral, onwardIdentifierValue, parentTaskId, readOnwardReferral, withdrawByLinkWorker, type OnwardAction,
} from '../../referral-model/onward-referral.js';
import { isTaskStatus, taskPhase } from '../../referral-model/task-status.js';
import { homeOf, isProvider, worksCases } from '../domain/actor.js';
import { onwardAnswerBundle, onwardPerson, onwardReferrals, parseOnwardAction, parseReferOnward, parseWithdrawOnward, referOnwardBundle } from '../domain/onward.js';
import { patientName } from '../domain/referral-details.js';
import { taskOwnedBy } from '../data/org-scope.js';
import type { LinkWorkerStore } from '../data/link-worker-store.js';
import { wsSession } from '../auth/session.js';
import type { FormState } from '../views/fields.js';
import { errorPage } from '../views/misc-pages.js';
import { portalListPage, portalReferralPage } from '../views/onward-views.js';
import { loadOwnedTask, renderCase } from './case-data.js';
import { todayOf, type WorkspaceDeps } from './context.js';
import { authed, forbidden, onlyFor, requireActor, requireCsrf } from './guards.js';

const ID = FHIR_ID_PATTERN;

/**
 * Onward referrals in the workspace: the link worker refers the person from their case (`POST /cases/:id/onward`,
 * one sub-Task per service), and a community group's staff answer in the portal (`/referrals`, role `provider`,
 * their organisation's referrals only). Mounted before the case routes, whose `/cases/:id/:action` it would
 * otherwise fall under.
 */
export function onwardRoutes(deps: WorkspaceDeps): express.Router {
  const r = express.Router();
  const caseworkers = onlyFor(worksCases, homeOf);
  const providers = onlyFor(isProvider, homeOf);

  r.post('/cases/:id/onward', caseworkers, requireActor, requireCsrf, async (req, res) => {
    const { id } = req.params as { id: string };
    const { actor, csrf } = authed(res);
    if (!ID.test(id)) return void res.status(404).type('html').send(errorPage({ status: 404, title: 'Case not found', message: 'There is no case with this reference.', actor, csrfToken: csrf }));
    const store = await deps.store();
    const loaded = await loadOwnedTask(store, id, actor, res);
    if (!loaded.ok) return;
    const { task, scope } = loaded;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { services: body.services, consent: body.consent, note: body.note };
    const again = (status: number, form: FormState, flash?: string) => renderCase(deps, store, res, { task, scope, status, forms: { onward: form }, ...(flash ? { flash } : {}) });
    if (!isTaskStatus(task.status) || taskPhase(task.status) !== 'open') {
      return again(409, { values, errors: {} }, 'Accept the referral before referring the person on; a closed case cannot be changed.');
    }
    if (!canReferOnward(task)) {
      return again(409, { values, errors: {} }, 'This referral is not held in a GP record (the person referred themselves and was not matched to a record), so it cannot be referred on from SP Link yet. Contact the service directly.');
    }
    const parsed = parseReferOnward(body);
    if (!parsed.ok) return again(400, { values, errors: parsed.errors });
    const chosen = (await store.onwardServices(parsed.value.services)).filter((s) => !(s.provider.reference && scope.refs.has(s.provider.reference)));
    if (chosen.length !== parsed.value.services.length) return again(400, { values, errors: { services: 'Select services from the directory' } });
    const full = chosen.find((s) => s.acceptingReferrals === false);
    if (full) return again(400, { values, errors: { services: `${full.name} is not taking referrals at the moment: choose another service` } });
    // A form sent twice refers no one twice: services already referred to are left out (and the create is conditional).
    const existing = new Set((await store.onwardOf(id)).flatMap((t) => t.identifier?.filter((i) => i.system === IDENTIFIER_SYSTEM.onwardReferral).map((i) => i.value) ?? []));
    const services = chosen.filter((s) => !existing.has(onwardIdentifierValue(id, s.id)));
    if (services.length === 0) {
      wsSession(req).flash = 'The person has already been referred to the services you chose.';
      return void res.redirect(303, `/workspace/cases/${id}#onward`);
    }
    const now = deps.now();
    const role = (await store.staff(scope)).find((m) => m.practitioner === actor.practitioner)?.reference;
    const requester = { reference: role ?? actor.practitioner, display: actor.name };
    const tasks = onwardReferrals(task, services, parsed.value, { actor, requester, now, today: todayOf(now) });
    const organization = scope.orgId ? `Organization/${scope.orgId}` : undefined;
    await store.apply(referOnwardBundle(tasks, { actor, ...(organization ? { organization } : {}), parent: task, linkWorkerBase: store.base, now }));
    await recordAudit(deps.db, { actor: actor.sub, action: 'workspace.onward-referral', resourceRef: `Task/${id}`, details: { org: actor.orgOds, services: services.map((s) => s.id) } });
    wsSession(req).flash = services.length === 1 ? `Referred to ${services[0]!.name}. Its reply will show here.` : `Referred to ${services.length} services. Their replies will show here.`;
    res.redirect(303, `/workspace/cases/${id}#onward`);
  });

  // The link worker withdraws an onward referral (the person changed their mind, the group closed): `cancelled` with
  // the reason, If-Match on the version shown, a Provenance naming them. The relay tells a group with its own server.
  r.post('/cases/:id/onward/:onwardId/withdraw', caseworkers, requireActor, requireCsrf, async (req, res) => {
    const { id, onwardId } = req.params as { id: string; onwardId: string };
    const { actor, csrf } = authed(res);
    const notFound = () => void res.status(404).type('html').send(errorPage({ status: 404, title: 'Referral not found', message: 'There is no onward referral with this reference on this case.', actor, csrfToken: csrf }));
    if (!ID.test(id) || !ID.test(onwardId)) return notFound();
    const store = await deps.store();
    const loaded = await loadOwnedTask(store, id, actor, res);
    if (!loaded.ok) return;
    const { task, scope } = loaded;
    const sub = (await store.onwardOf(id)).find((t) => t.id === onwardId);
    if (!sub || parentTaskId(sub) !== id) return notFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = `withdraw-${onwardId}`;
    const again = (status: number, errors: Record<string, string>, flash?: string) =>
      renderCase(deps, store, res, { task, scope, status, forms: { [form]: { values: { reason: body.reason, note: body.note }, errors } }, ...(flash ? { flash } : {}) });
    const parsed = parseWithdrawOnward(body);
    if (!parsed.ok) return again(400, parsed.errors);
    const version = typeof body.version === 'string' ? body.version : '';
    const conflict = () => renderCase(deps, store, res, { task, scope, status: 409, flash: 'The service answered this referral while you were working on it, so it was not withdrawn. Check what it says now.' });
    if (!version || version !== sub.meta?.versionId) return conflict();
    const now = deps.now();
    const role = (await store.staff(scope)).find((m) => m.practitioner === actor.practitioner)?.reference;
    const withdrawn = withdrawByLinkWorker(sub, parsed.value, { now, author: { reference: role ?? actor.practitioner, display: actor.name } });
    if (!withdrawn.ok) return again(409, {}, withdrawn.message);
    try {
      const organization = scope.orgId ? `Organization/${scope.orgId}` : undefined;
      await store.apply(onwardAnswerBundle(withdrawn.task, { action: 'withdraw', ifMatchVersion: version, actor, ...(organization ? { organization } : {}), linkWorkerBase: store.base, now }));
    } catch (err) {
      if (err instanceof FhirHttpError && (err.status === 412 || err.status === 409)) return conflict();
      throw err;
    }
    await recordAudit(deps.db, { actor: actor.sub, action: 'workspace.onward-withdraw', resourceRef: `Task/${onwardId}`, details: { org: actor.orgOds, case: id, reason: parsed.value.reason, fromVersion: version } });
    wsSession(req).flash = `Withdrew the referral to ${readOnwardReferral(sub).service}. The service will be told.`;
    res.redirect(303, `/workspace/cases/${id}#onward`);
  });

  /** Reads an onward referral and checks it is one, owned by the user's organisation; answers 404/403 itself otherwise. */
  async function loadOwnedOnward(store: LinkWorkerStore, id: string, res: express.Response): Promise<Task | undefined> {
    const { actor, csrf } = authed(res);
    const notFound = () => void res.status(404).type('html').send(errorPage({ actor, csrfToken: csrf, status: 404, title: 'Referral not found', message: 'There is no referral with this reference.', link: { href: '/workspace/referrals', text: 'Back to referrals' } }));
    if (!ID.test(id)) return notFound();
    let task: Task;
    try {
      task = await store.task(id);
    } catch (err) {
      if (err instanceof FhirHttpError && (err.status === 404 || err.status === 410)) return notFound();
      throw err;
    }
    if (!isOnwardReferral(task)) return notFound();
    if (!taskOwnedBy(task, await store.scope(actor.orgOds), store.base)) return void forbidden(res, 'This referral was sent to another organisation.');
    return task;
  }

  r.get('/referrals', providers, requireActor, async (req, res) => {
    const { actor, csrf } = authed(res);
    const store = await deps.store();
    const [scope, { tasks, truncated }] = await Promise.all([store.scope(actor.orgOds), store.onwardTasks()]);
    const rows = tasks.filter((t) => taskOwnedBy(t, scope, store.base)).map((t) => ({ ...readOnwardReferral(t), person: patientName(t) }));
    const ws = wsSession(req);
    const flash = ws.flash;
    delete ws.flash;
    res.type('html').send(portalListPage({ actor, csrfToken: csrf, ...(scope.orgName ? { orgName: scope.orgName } : {}), rows, truncated, ...(flash ? { flash } : {}) }));
  });

  const renderReferral = (res: express.Response, task: Task, o: { status?: number; forms?: Record<string, FormState>; saved?: string; flash?: string } = {}) => {
    const { actor, csrf } = authed(res);
    const history = (task.note ?? []).map((n) => ({ at: n.time, text: n.text }));
    res.status(o.status ?? 200).type('html').send(portalReferralPage({ actor, csrfToken: csrf, view: readOnwardReferral(task), person: onwardPerson(task), history, forms: o.forms ?? {}, ...(o.saved ? { saved: o.saved } : {}), ...(o.flash ? { flash: o.flash } : {}) }));
  };

  r.get('/referrals/:id', providers, requireActor, async (req, res) => {
    const store = await deps.store();
    const task = await loadOwnedOnward(store, (req.params as { id: string }).id, res);
    if (!task) return;
    const ws = wsSession(req);
    const last = ws.saved;
    const saved = last && last.caseId === task.id && isOnwardAction(last.action) ? ONWARD_ACTIONS[last.action].done : undefined;
    delete ws.saved;
    renderReferral(res, task, saved ? { saved } : {});
  });

  r.post('/referrals/:id/:action', providers, requireActor, requireCsrf, async (req, res) => {
    const { id, action } = req.params as { id: string; action: string };
    const { actor, csrf } = authed(res);
    if (!isOnwardAction(action)) return void res.status(404).type('html').send(errorPage({ actor, csrfToken: csrf, status: 404, title: 'Page not found', message: 'There is no such action.' }));
    const store = await deps.store();
    const task = await loadOwnedOnward(store, id, res);
    if (!task) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { _csrf: _c, version: _v, ...values } = body;
    const parsed = parseOnwardAction(action, body);
    if (!parsed.ok) return renderReferral(res, task, { status: 400, forms: { [action]: { values, errors: parsed.errors } } });
    const version = typeof body.version === 'string' ? body.version : '';
    const conflict = () => renderReferral(res, task, { status: 409, flash: 'Someone else answered this referral while you were working on it, so your change was not saved. Check what it says now.' });
    if (!version || version !== task.meta?.versionId) return conflict();
    const now = deps.now();
    const scope = await store.scope(actor.orgOds);
    const role = (await store.staff(scope)).find((m) => m.practitioner === actor.practitioner)?.reference;
    const applied = applyOnwardAction(task, parsed.value, { now, author: { reference: role ?? actor.practitioner, display: actor.name } });
    if (!applied.ok) return renderReferral(res, task, { status: 409, flash: applied.message });
    try {
      const organization = scope.orgId ? `Organization/${scope.orgId}` : undefined;
      await store.apply(onwardAnswerBundle(applied.task, { action: action as OnwardAction, ifMatchVersion: version, actor, ...(organization ? { organization } : {}), linkWorkerBase: store.base, now }));
    } catch (err) {
      if (err instanceof FhirHttpError && (err.status === 412 || err.status === 409)) return conflict();
      throw err;
    }
    await recordAudit(deps.db, { actor: actor.sub, action: `portal.${action}`, resourceRef: `Task/${id}`, details: { org: actor.orgOds, fromVersion: version } });
    wsSession(req).saved = { caseId: id, action };
    res.redirect(303, `/workspace/referrals/${id}`);
  });

  return r;
}
