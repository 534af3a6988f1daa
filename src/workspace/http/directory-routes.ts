import express from 'express';
import type { HealthcareService } from '@medplum/fhirtypes';
import { FhirHttpError } from '../../fhir/errors.js';
import { DirectoryReports } from '../../directory/report-store.js';
import { capacityOf } from '../../directory/search.js';
import {
  REPORT_KINDS, STEWARD_ACTIONS, currentDetails, isStewardAction, markChecked, markInactive, recordChange, toCheckList, updateCapacity, type StewardAction,
} from '../../directory/stewardship.js';
import { isStale, verificationLabel, verificationOf } from '../../directory/verification.js';
import { suppressTable } from '../../reports/suppression.js';
import { FHIR_ID_PATTERN } from '../../referral-model/references.js';
import { recordAudit } from '../../store/audit.js';
import { homeOf, isManager, isProvider, readsReports, worksCases, type Actor } from '../domain/actor.js';
import { parseCapacity, parseServiceChange, parseServiceReport } from '../domain/directory-forms.js';
import { serviceChangeBundle } from '../domain/service-change.js';
import { onwardServiceOf, serviceWorkload, workloadCells } from '../domain/service-workload.js';
import { ownedBy, taskOwnedBy } from '../data/org-scope.js';
import type { LinkWorkerStore } from '../data/link-worker-store.js';
import { wsSession } from '../auth/session.js';
import type { FormState } from '../views/fields.js';
import { errorPage } from '../views/misc-pages.js';
import { ourServicesPage, servicePage, toCheckPage, workloadPage, type ServiceView } from '../views/directory-views.js';
import type { WorkspaceDeps } from './context.js';
import { authed, forbidden, onlyFor, requireActor, requireCsrf } from './guards.js';

const ID = FHIR_ID_PATTERN;

/**
 * Keeping the directory true from the workspace (src/directory/stewardship.ts): a link worker reports in one click
 * that a service has closed or changed; the service manager's "to check" list and their three actions on a service
 * (checked, inactive, the change recorded); a provider's own capacity and waits in the portal; and the workload each
 * community service received. Every change to a service is one transaction at the directory's endpoint with If-Match
 * on the version shown and a Provenance naming the user, then audited.
 */
export function directoryRoutes(deps: WorkspaceDeps): express.Router {
  const r = express.Router();
  const reports = new DirectoryReports(deps.db);
  const { staleAfterDays, reportResponseDays } = deps.config.directory;
  const caseworkers = onlyFor(worksCases, homeOf);
  const managers = onlyFor(isManager, homeOf);
  const providers = onlyFor(isProvider, homeOf);

  const view = (hs: HealthcareService, now: Date): ServiceView => {
    const v = verificationOf(hs);
    const cap = capacityOf(hs);
    const { accepting: _a, waitDays: _w, ...details } = currentDetails(hs);
    return {
      id: hs.id!, name: hs.name ?? hs.id!, version: hs.meta?.versionId ?? '', ...(hs.providedBy?.display ? { provider: hs.providedBy.display } : {}),
      active: hs.active !== false, verifiedLabel: verificationLabel(v), stale: hs.active !== false && isStale(v, now, staleAfterDays),
      ...(cap.acceptingReferrals !== undefined ? { accepting: cap.acceptingReferrals } : {}), ...(cap.waitDays !== undefined ? { waitDays: cap.waitDays } : {}),
      details,
    };
  };

  const notFound = (res: express.Response) => {
    const { actor, csrf } = authed(res);
    res.status(404).type('html').send(errorPage({ actor, csrfToken: csrf, status: 404, title: 'Service not found', message: 'There is no service in the directory with this reference.' }));
  };

  /** The service, or 404 answered. */
  async function loadService(store: LinkWorkerStore, id: string, res: express.Response): Promise<HealthcareService | undefined> {
    if (!ID.test(id)) return void notFound(res);
    try {
      return await store.service(id);
    } catch (err) {
      if (err instanceof FhirHttpError && (err.status === 404 || err.status === 410)) return void notFound(res);
      throw err;
    }
  }

  const caseParam = (v: unknown) => (typeof v === 'string' && ID.test(v) ? v : undefined);

  async function renderService(res: express.Response, hs: HealthcareService, o: { status?: number; caseId?: string | undefined; forms?: Record<string, FormState>; flash?: string } = {}) {
    const { actor, csrf } = authed(res);
    const waiting = isManager(actor) ? (await reports.open(actor.orgOds)).filter((x) => x.serviceId === hs.id) : [];
    res.status(o.status ?? 200).type('html').send(servicePage({
      actor, csrfToken: csrf, service: view(hs, deps.now()), ...(o.caseId ? { caseId: o.caseId } : {}), forms: o.forms ?? {}, ...(o.flash ? { flash: o.flash } : {}),
      reports: waiting.map((x) => ({ kind: REPORT_KINDS[x.kind].short, ...(x.note ? { note: x.note } : {}), by: x.reporterName, at: x.reportedAt })),
    }));
  }

  r.get('/directory/services/:id', caseworkers, requireActor, async (req, res) => {
    const store = await deps.store();
    const hs = await loadService(store, String(req.params.id), res);
    if (!hs) return;
    const ws = wsSession(req);
    const flash = ws.flash;
    delete ws.flash;
    await renderService(res, hs, { caseId: caseParam(req.query.case), ...(flash ? { flash } : {}) });
  });

  // The link worker's one click: the report waits for a manager; the service itself is not changed.
  r.post('/directory/services/:id/report', caseworkers, requireActor, requireCsrf, async (req, res) => {
    const { actor } = authed(res);
    const store = await deps.store();
    const hs = await loadService(store, String(req.params.id), res);
    if (!hs) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseServiceReport(body);
    const caseId = caseParam(body.case);
    if (!parsed.ok) return renderService(res, hs, { status: 400, caseId, forms: { report: { values: { note: body.note }, errors: parsed.errors } } });
    const now = deps.now();
    const id = await reports.file({ serviceId: hs.id!, serviceName: hs.name ?? hs.id!, kind: parsed.value.kind, ...(parsed.value.note ? { note: parsed.value.note } : {}), by: actor.sub, name: actor.name, org: actor.orgOds, at: now });
    await recordAudit(deps.db, { actor: actor.sub, action: 'workspace.directory-report', resourceRef: `HealthcareService/${hs.id}`, details: { org: actor.orgOds, kind: parsed.value.kind, report: id } });
    wsSession(req).flash = `Thank you: your service manager will check ${hs.name ?? 'this service'} (you reported: ${REPORT_KINDS[parsed.value.kind].label.toLowerCase()}).`;
    res.redirect(303, caseId ? `/workspace/cases/${caseId}#onward` : `/workspace/directory/services/${hs.id}`);
  });

  r.get('/directory/to-check', managers, requireActor, async (req, res) => {
    const { actor, csrf } = authed(res);
    const store = await deps.store();
    const [services, waiting] = await Promise.all([store.allServices(), reports.open(actor.orgOds)]);
    const ws = wsSession(req);
    const flash = ws.flash;
    delete ws.flash;
    const now = deps.now();
    res.type('html').send(toCheckPage({ actor, csrfToken: csrf, now, staleAfterDays, reportResponseDays, ...(flash ? { flash } : {}), items: toCheckList(services, waiting, { now, staleAfterDays, reportResponseDays }) }));
  });

  /** Writes the service as changed, with If-Match on `version`; false when someone else changed it first. */
  async function write(store: LinkWorkerStore, actor: Actor, changed: HealthcareService, version: string, activityText: string): Promise<boolean> {
    const scope = await store.scope(actor.orgOds);
    try {
      await store.apply(serviceChangeBundle(changed, { ifMatchVersion: version, actor, ...(scope.orgId ? { organization: `Organization/${scope.orgId}` } : {}), activityText, directoryBase: store.base, now: deps.now() }));
    } catch (err) {
      if (err instanceof FhirHttpError && (err.status === 412 || err.status === 409)) return false;
      throw err;
    }
    store.directoryChanged();
    return true;
  }

  const conflict = (res: express.Response, hs: HealthcareService, back: string) => {
    const { actor, csrf } = authed(res);
    res.status(409).type('html').send(errorPage({
      actor, csrfToken: csrf, status: 409, title: 'Someone else changed this service',
      message: `${hs.name ?? 'The service'} was changed while you were looking at it, so nothing was saved. Look at it again, then make your change.`,
      link: { href: back, text: 'See the service as it is now' },
    }));
  };

  r.post('/directory/services/:id/:action', managers, requireActor, requireCsrf, async (req, res, next) => {
    const { id, action } = req.params as { id: string; action: string };
    if (!isStewardAction(action)) return next();
    const { actor } = authed(res);
    const store = await deps.store();
    const hs = await loadService(store, id, res);
    if (!hs) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const version = typeof body.version === 'string' ? body.version : '';
    const back = `/workspace/directory/services/${hs.id}`;
    if (!version || version !== hs.meta?.versionId) return conflict(res, hs, back);
    const now = deps.now();
    const steward = { by: 'manager' as const, name: actor.name };
    let changed: HealthcareService;
    if (action === 'change') {
      const { _csrf: _c, version: _v, ...values } = body;
      const parsed = parseServiceChange(body);
      if (!parsed.ok) return renderService(res, hs, { status: 400, forms: { change: { values, errors: parsed.errors } } });
      changed = recordChange(hs, parsed.value, steward, now);
    } else {
      changed = action === 'checked' ? markChecked(hs, steward, now) : markInactive(hs, steward, now);
    }
    const text = { checked: 'Directory service checked by the service manager', inactive: 'Directory service marked inactive by the service manager', change: 'Directory service details changed by the service manager' } satisfies Record<StewardAction, string>;
    if (!(await write(store, actor, changed, version, text[action]))) return conflict(res, hs, back);
    const settled = await reports.resolve(hs.id!, { by: actor.sub, action, at: now });
    await recordAudit(deps.db, { actor: actor.sub, action: `workspace.directory-${action}`, resourceRef: `HealthcareService/${hs.id}`, details: { org: actor.orgOds, fromVersion: version, reportsSettled: settled } });
    wsSession(req).flash = `${hs.name ?? 'The service'}: ${STEWARD_ACTIONS[action].done}.`;
    res.redirect(303, '/workspace/directory/to-check');
  });

  // Service managers see their link workers' referrals exactly; commissioners see aggregates, small numbers suppressed.
  r.get('/directory/workload', onlyFor(readsReports, homeOf), requireActor, async (_req, res) => {
    const { actor, csrf } = authed(res);
    const store = await deps.store();
    const { tasks } = await store.onwardTasks();
    let mine = tasks;
    if (isManager(actor)) {
      const scope = await store.scope(actor.orgOds);
      const staff = await store.staff(scope);
      const ours = new Set([...scope.refs, ...staff.map((m) => m.practitioner)]);
      mine = tasks.filter((t) => ownedBy(t.requester, { ...scope, refs: ours }, store.base));
    }
    const rows = serviceWorkload(mine, deps.now());
    const rule = deps.config.reports.suppression;
    const suppress = !isManager(actor) && rule.threshold > 1;
    const cells = suppress ? suppressTable(rows.map(workloadCells), rule).cells : rows.map((x) => workloadCells(x).map((value) => ({ value, hidden: false as const })));
    res.type('html').send(workloadPage({
      actor, csrfToken: csrf, scope: isManager(actor) ? 'referrals made by your organisation’s link workers' : 'every link-worker service using SP Link here',
      ...(suppress ? { suppressedBelow: rule.threshold } : {}),
      rows: rows.map((x, i) => ({ name: x.name, ...(x.provider ? { provider: x.provider } : {}), cells: cells[i]! })),
    }));
  });

  // The provider portal: the organisation's own services only (least privilege), capacity and waits.
  const ourServices = async (res: express.Response, store: LinkWorkerStore, o: { status?: number; forms?: Record<string, FormState>; flash?: string } = {}) => {
    const { actor, csrf } = authed(res);
    const scope = await store.scope(actor.orgOds);
    const [services, { tasks }] = await Promise.all([store.servicesOf(scope), store.onwardTasks()]);
    const now = deps.now();
    const shown = services.filter((s) => s.id && s.active !== false);
    // Their own figures only: referrals their organisation owns, to services it runs (the same counts as the workload page).
    const ids = new Set(shown.map((s) => s.id!));
    const theirs = tasks.filter((t) => taskOwnedBy(t, scope, store.base) && ids.has(onwardServiceOf(t)?.id ?? ''));
    const workload = new Map(serviceWorkload(theirs, now).map((w) => [w.serviceId, workloadCells(w)]));
    res.status(o.status ?? 200).type('html').send(ourServicesPage({
      actor, csrfToken: csrf, ...(scope.orgName ? { orgName: scope.orgName } : {}), services: shown.map((s) => view(s, now)), workload, forms: o.forms ?? {}, ...(o.flash ? { flash: o.flash } : {}),
    }));
  };

  r.get('/our-services', providers, requireActor, async (req, res) => {
    const ws = wsSession(req);
    const flash = ws.flash;
    delete ws.flash;
    await ourServices(res, await deps.store(), flash ? { flash } : {});
  });

  r.post('/our-services/:id/capacity', providers, requireActor, requireCsrf, async (req, res) => {
    const { actor } = authed(res);
    const store = await deps.store();
    const hs = await loadService(store, String(req.params.id), res);
    if (!hs) return;
    if (!ownedBy(hs.providedBy, await store.scope(actor.orgOds), store.base)) return forbidden(res, 'This service is run by another organisation. Nothing was saved.');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseCapacity(body);
    if (!parsed.ok) return ourServices(res, store, { status: 400, forms: { [hs.id!]: { values: { accepting: body.accepting, waitDays: body.waitDays }, errors: parsed.errors } } });
    const version = typeof body.version === 'string' ? body.version : '';
    const conflictHere = () => ourServices(res, store, { status: 409, flash: `Someone else changed ${hs.name ?? 'this service'} while you were working on it, so nothing was saved. Check what it says now, then save again.` });
    if (!version || version !== hs.meta?.versionId) return conflictHere();
    const changed = updateCapacity(hs, parsed.value, { by: 'provider', name: actor.name }, deps.now());
    if (!(await write(store, actor, changed, version, 'Capacity and waits updated by the provider'))) return conflictHere();
    await recordAudit(deps.db, { actor: actor.sub, action: 'portal.service-capacity', resourceRef: `HealthcareService/${hs.id}`, details: { org: actor.orgOds, fromVersion: version, accepting: parsed.value.acceptingReferrals } });
    wsSession(req).flash = `${hs.name ?? 'Your service'}: saved. Link workers and GPs see it within a minute.`;
    res.redirect(303, '/workspace/our-services');
  });

  return r;
}
