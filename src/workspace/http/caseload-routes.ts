import express from 'express';
import { isManager } from '../domain/actor.js';
import { capacity, caseload, parseCaseloadQuery } from '../domain/caseload.js';
import { safeguardingCases } from '../domain/safeguarding-cases.js';
import { escalatedCases } from '../domain/escalated-cases.js';
import { isTerminalTaskStatus } from '../../referral-model/task-status.js';
import { taskOwnedBy } from '../data/org-scope.js';
import { capacityPage, caseloadPage } from '../views/caseload-page.js';
import type { WorkspaceDeps } from './context.js';
import { patientName, formatName } from '../domain/referral-details.js';
import type { Task } from '@medplum/fhirtypes';

/** Names for Tasks without demographics, from the GP record; the caseload still renders if that fails. */
async function namesFromEhr(deps: WorkspaceDeps, tasks: Task[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (tasks.length === 0) return names;
  try {
    for (const [ref, p] of await deps.patients.patients(tasks)) {
      const n = formatName(p.name);
      if (n) names.set(ref, n);
    }
  } catch (err) {
    deps.logger.warn({ err }, 'patient names could not be read from the GP record');
  }
  return names;
}
import { authed, forbidden, requireActor } from './guards.js';

/** Caseload views and the manager's capacity view: only Tasks owned by the user's organisation. */
export function caseloadRoutes(deps: WorkspaceDeps): express.Router {
  const r = express.Router();

  r.get('/caseload', requireActor, async (req, res) => {
    const { actor, csrf } = authed(res);
    if (typeof req.query.org === 'string' && req.query.org !== actor.orgOds) return forbidden(res, "You can only see your own organisation's cases.");
    const store = await deps.store();
    const [scope, { tasks, truncated }] = await Promise.all([store.scope(actor.orgOds), store.tasks()]);
    const own = tasks.filter((t) => taskOwnedBy(t, scope, store.base));
    const role = (await store.staff(scope)).find((m) => m.practitioner === actor.practitioner)?.reference;
    const names = await namesFromEhr(deps, own.filter((t) => !patientName(t)));
    const query = parseCaseloadQuery(req.query);
    const flash = req.session.ws?.flash;
    if (flash) delete req.session.ws!.flash;
    res.type('html').send(caseloadPage({ actor, csrfToken: csrf, query, rows: caseload(own, role, query, deps.now(), names, deps.workspace.followUpMonths), orgName: scope.orgName, truncated, flash }));
  });

  r.get('/capacity', requireActor, async (_req, res) => {
    const { actor, csrf } = authed(res);
    if (!isManager(actor)) return forbidden(res, 'The capacity view is for service managers.');
    const store = await deps.store();
    const [scope, { tasks }] = await Promise.all([store.scope(actor.orgOds), store.tasks()]);
    const staff = await store.staff(scope);
    const own = tasks.filter((t) => taskOwnedBy(t, scope, store.base));
    const c = capacity(own, staff);
    const names = await namesFromEhr(deps, own.filter((t) => !patientName(t) && !isTerminalTaskStatus(t.status)));
    res.type('html').send(capacityPage({ actor, csrfToken: csrf, ...c, safeguarding: safeguardingCases(own, names), escalated: escalatedCases(own, names) }));
  });

  return r;
}
