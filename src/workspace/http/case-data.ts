import type { Observation, Task } from '@medplum/fhirtypes';
import type { Response } from 'express';
import { FhirHttpError } from '../../fhir/errors.js';
import { canReferOnward, isOnwardReferral, readOnwardReferral } from '../../referral-model/onward-referral.js';
import { isManager, type Actor } from '../domain/actor.js';
import { readCase } from '../domain/case-state.js';
import { overdueSince } from '../domain/caseload.js';
import { followUpOpen } from '../domain/follow-up.js';
import { responseTargetHours } from '../../referral-model/response-targets.js';
import { patientCopy, readReferral, referralCopy } from '../domain/referral-details.js';
import { taskOwnedBy, relativeTo, type OrgScope } from '../data/org-scope.js';
import type { LinkWorkerStore } from '../data/link-worker-store.js';
import type { FormState } from '../views/fields.js';
import { casePage, type CasePageData } from '../views/case-page.js';
import { errorPage } from '../views/misc-pages.js';
import { todayOf, type WorkspaceDeps } from './context.js';
import { forbidden, type Authed } from './guards.js';
import { isTaskStatus, taskPhase } from '../../referral-model/task-status.js';
import { positionOfHome, searchDirectory } from '../../referrals/directory.js';
import { ONWARD_RESULTS_SHOWN, onwardSearchOf } from '../domain/onward-search.js';
import type { OnwardSearch } from '../views/onward-views.js';
import { communityReferralsByTaskIdentifier } from '../../store/community-referrals.js';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { referralSourceOf } from '../../referral-model/referral-source.js';
import { identityCheck, type IdentityCheck } from '../domain/identity-check.js';

export type LoadedTask = { ok: true; task: Task; scope: OrgScope } | { ok: false };

/**
 * Reads the Task and checks it belongs to the user's organisation; answers 404/403 itself otherwise.
 * The same check guards reads and writes, so another organisation's case can be neither seen nor changed.
 */
export async function loadOwnedTask(store: LinkWorkerStore, id: string, actor: Actor, res: Response): Promise<LoadedTask> {
  const a = res.locals.ws as Authed;
  let task: Task;
  try {
    task = await store.task(id);
  } catch (err) {
    if (err instanceof FhirHttpError && (err.status === 404 || err.status === 410)) {
      res.status(404).type('html').send(errorPage({ actor, csrfToken: a.csrf, status: 404, title: 'Case not found', message: 'There is no case with this reference.' }));
      return { ok: false };
    }
    throw err;
  }
  if (isOnwardReferral(task)) {
    // An onward referral is shown on its referral's case, not as a case of its own.
    res.status(404).type('html').send(errorPage({ actor, csrfToken: a.csrf, status: 404, title: 'Case not found', message: 'There is no case with this reference.' }));
    return { ok: false };
  }
  const scope = await store.scope(actor.orgOds);
  if (!taskOwnedBy(task, scope, store.base)) {
    forbidden(res, 'This case belongs to another organisation.');
    return { ok: false };
  }
  return { ok: true, task, scope };
}

/** The case's outcome Observations (its `outcome-measure` outputs), read from the link-worker endpoint. */
export async function caseObservations(store: LinkWorkerStore, task: Task): Promise<Observation[]> {
  const obsIds = readCase(task).outcomeRefs.map((r) => relativeTo(store.base, r)).filter((r): r is string => !!r?.startsWith('Observation/')).map((r) => r.slice(12));
  if (!obsIds.length) return [];
  const b = await store.fhir.search<Observation>('Observation', { _id: obsIds.join(','), _count: '100' });
  return (b.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

/** The identity decision SP Link kept for a referral from the person or an agency (none for a GP's referral). */
export async function identityOf(deps: WorkspaceDeps, task: Task): Promise<IdentityCheck | undefined> {
  if (referralSourceOf(task) === 'gp') return undefined;
  const id = task.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.referralTask)?.value;
  if (!id) return undefined;
  const row = (await communityReferralsByTaskIdentifier(deps.db, [id])).get(id);
  return row ? identityCheck(row) : undefined;
}

/**
 * The onward-referral picker's results: the directory searched as the GP app's picker searches it (the case's needs
 * and the person's home until the link worker searches), the organisation's own services left out, the first
 * `ONWARD_RESULTS_SHOWN` shown plus any the link worker had ticked in a form sent back with an error.
 */
async function searchOnward(deps: WorkspaceDeps, store: LinkWorkerStore, task: Task, scope: OrgScope, query: Record<string, unknown> | undefined, form: FormState | undefined): Promise<OnwardSearch> {
  const details = readReferral(task);
  const { form: search, search: q, nearHome } = onwardSearchOf(query, details.needsChange?.codes ?? details.needCodes);
  const index = await store.directoryIndex();
  const home = positionOfHome(patientCopy(task, referralCopy(task)), index.locations);
  const near = nearHome ? home : undefined;
  const hits = searchDirectory(index, { ...q, ...(near ? { near } : {}) }, { now: deps.now(), staleAfterDays: deps.config.directory.staleAfterDays })
    .filter((e) => !scope.refs.has(`HealthcareService/${e.id}`));
  const ticked = new Set(Array.isArray(form?.values.services) ? form.values.services.map(String) : typeof form?.values.services === 'string' ? [form.values.services] : []);
  const shown = hits.slice(0, ONWARD_RESULTS_SHOWN);
  const pinned = hits.slice(ONWARD_RESULTS_SHOWN).filter((e) => ticked.has(e.id));
  return { form: search, results: [...pinned, ...shown], total: hits.length, homePlaced: home !== undefined };
}

/** Renders the case page: Task, its outcome Observations, the directory and (for managers) the team. */
export async function renderCase(
  deps: WorkspaceDeps,
  store: LinkWorkerStore,
  res: Response,
  o: { task: Task; scope: OrgScope; forms?: Record<string, FormState>; flash?: string; saved?: CasePageData['saved']; status?: number; query?: Record<string, unknown> },
): Promise<void> {
  const { actor, csrf } = res.locals.ws as Authed;
  const state = readCase(o.task);
  const overdue = overdueSince(o.task, deps.now());
  const needsPatient = !patientCopy(o.task, referralCopy(o.task));
  const referable = isTaskStatus(o.task.status) && taskPhase(o.task.status) === 'open' && canReferOnward(o.task);
  const [directory, staff, observations, fallbackPatient, onward, identity, onwardSearch] = await Promise.all([
    store.directory(),
    isManager(actor) ? store.staff(o.scope) : Promise.resolve([]),
    caseObservations(store, o.task),
    needsPatient
      ? deps.patients.patient(o.task).catch((err: unknown) => void deps.logger.warn({ err }, 'patient could not be read from the GP record'))
      : Promise.resolve(undefined),
    store.onwardOf(o.task.id!),
    identityOf(deps, o.task),
    referable ? searchOnward(deps, store, o.task, o.scope, o.query, o.forms?.onward) : Promise.resolve(undefined),
  ]);
  res.status(o.status ?? 200).type('html').send(
    casePage({
      actor, csrfToken: csrf, state, referral: readReferral(o.task, fallbackPatient ?? undefined), observations, directory, staff,
      maxContactAttempts: deps.workspace.maxContactAttempts, today: todayOf(deps.now()), forms: o.forms ?? {}, flash: o.flash, saved: o.saved,
      followUp: followUpOpen(o.task, todayOf(deps.now()), deps.workspace.followUpMonths),
      overdue: overdue ? { since: overdue, hours: responseTargetHours(o.task.priority) } : undefined,
      onward: onward.map(readOnwardReferral), ownProviders: o.scope.refs, canReferOnward: canReferOnward(o.task),
      ...(onwardSearch ? { onwardSearch } : {}),
      ...(identity ? { identity } : {}),
    }),
  );
}
