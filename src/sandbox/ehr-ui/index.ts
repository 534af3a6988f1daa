import { Router, type Request, type Response } from 'express';
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { SandboxFhirServer } from '../fhir/index.js';
import type { LaunchContext } from '../auth/launch-store.js';
import { renderEhrPage, renderNotFound } from './page.js';
import { clinicianRows, recordView, searchPatients } from './record.js';
import { sandboxAssetsRouter } from './assets.js';
import { normaliseBaseUrl } from '../../referral-model/references.js';
import { formBody } from '../../http/body-limits.js';
import type { HealthcareService } from '@medplum/fhirtypes';
import { CDS_CLIENT_JWKS_PATH, type SandboxCdsClient, type ShownCard } from './cds-client.js';
import { renderServicesPage } from './services-page.js';

export interface SandboxEhrUiOptions {
  /** The sandbox EHR FHIR server; the page reads its repository directly. */
  ehr: SandboxFhirServer;
  /** Where SP Link is reachable (config server.publicUrl): the launch goes to `{publicUrl}/launch`. */
  publicUrl: string;
  createLaunch(context: LaunchContext): string;
  /** Clock, for ages. */
  now?: () => Date;
  /** Calls SP Link's CDS Hooks service when a record opens (absent: no decision support). */
  cds?: SandboxCdsClient;
  /** The link-worker service's server, for the local services page the cards link to. */
  lw?: SandboxFhirServer;
}

/** Cards shown recently, by uuid, so "Refer" and "Dismiss" act on what the GP saw (bounded: oldest dropped). */
const MAX_REMEMBERED_CARDS = 1000;

/** Resource types the page shows. */
const RECORD_TYPES = ['Practitioner', 'Patient', 'Condition', 'ServiceRequest', 'Observation', 'Communication', 'Flag', 'Encounter'] as const;

const one = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * `/sandbox/ehr`: the sandbox GP system's patient record, from which SP Link is launched (SMART EHR launch),
 * plus `/sandbox/assets/*` (stylesheets shared with the sandbox identity provider).
 */
export function sandboxEhrUiRouter(opts: SandboxEhrUiOptions): Router {
  const router = Router();
  const now = opts.now ?? (() => new Date());
  const launchUrl = (launch: string) =>
    `${normaliseBaseUrl(opts.publicUrl)}/launch?${new URLSearchParams({ iss: opts.ehr.baseUrl, launch }).toString()}`;

  router.use(sandboxAssetsRouter());

  /** A consistent view of what the page needs, read in one transaction. */
  const snapshot = () =>
    opts.ehr.exclusive(async (repo) => {
      const byType = new Map<string, readonly Resource[]>();
      for (const t of RECORD_TYPES) byType.set(t, await repo.currentOfType(t));
      return { all: (type: string): readonly Resource[] => byType.get(type) ?? [] };
    });

  async function resolve(req: Request, res: Response) {
    const { all } = await snapshot();
    const clinicians = clinicianRows(all('Practitioner'));
    const clinician = clinicians.find((c) => c.id === one(req.query.clinician)) ?? clinicians[0];
    if (!clinician) {
      res.status(404).type('html').send(renderNotFound('The sandbox EHR has no clinicians: reset the sandbox data.'));
      return undefined;
    }
    const patientId = one(req.query.patient);
    const patient = patientId ? (all('Patient') as Patient[]).find((p) => p.id === patientId) : undefined;
    if (patientId && !patient) {
      res.status(404).type('html').send(renderNotFound('No patient with that id in this practice.'));
      return undefined;
    }
    return { all, clinicians, clinician, patient };
  }

  const shown = new Map<string, ShownCard & { patient: string }>();
  const remember = (patient: string, cards: readonly ShownCard[]) => {
    for (const c of cards) {
      shown.delete(c.uuid);
      shown.set(c.uuid, { ...c, patient });
    }
    while (shown.size > MAX_REMEMBERED_CARDS) shown.delete(shown.keys().next().value!);
  };
  const cardFor = (req: Request) => {
    const card = shown.get(one(req.query.card) || one((req.body as Record<string, unknown> | undefined)?.card));
    const patient = one(req.query.patient) || one((req.body as Record<string, unknown> | undefined)?.patient);
    return card && card.patient === patient ? card : undefined;
  };
  const recordUrl = (clinician: string, patient: string, extra: Record<string, string> = {}) =>
    `/sandbox/ehr?${new URLSearchParams({ clinician, patient, ...extra }).toString()}`;

  router.get('/sandbox/ehr', async (req, res) => {
    const ctx = await resolve(req, res);
    if (!ctx) return;
    const query = one(req.query.q);
    const record = ctx.patient ? recordView(ctx.patient, ctx.all, now()) : undefined;
    // Embedded launch: the record page already shows the patient banner, so the app need not. Launched from a card,
    // the card's SMART link context travels with the launch (SMART: the token response's `appContext`).
    const appContext = cardFor(req)?.links.find((l) => l.type === 'smart')?.appContext;
    const embeddedLaunchUrl =
      record && one(req.query.app) === 'sp-link'
        ? launchUrl(opts.createLaunch({ patient: record.id, practitioner: ctx.clinician.id, encounter: record.encounter, needPatientBanner: false, ...(appContext ? { appContext } : {}) }))
        : undefined;
    // The record has opened: ask decision support, as a GP system does on patient-view.
    const cards = record && opts.cds
      ? await opts.cds.patientView({ patientId: record.id, userId: `Practitioner/${ctx.clinician.id}`, ...(record.encounter ? { encounterId: record.encounter } : {}) })
      : [];
    if (record) remember(record.id, cards);
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(renderEhrPage({ clinicians: ctx.clinicians, clinician: ctx.clinician, query, patients: searchPatients(ctx.all('Patient'), query, now()), record, embeddedLaunchUrl, cards }));
  });

  if (opts.cds) {
    const cds = opts.cds;
    router.get(CDS_CLIENT_JWKS_PATH, async (_req, res) => {
      res.set('Cache-Control', 'public, max-age=60').json(await cds.jwks());
    });
    // "Refer" on a card: the GP followed its SMART link. Reported as accepted, then SP Link opens in the record.
    router.get('/sandbox/ehr/cds-refer', async (req, res) => {
      const card = cardFor(req);
      const clinician = one(req.query.clinician);
      if (!card) return void res.redirect(303, recordUrl(clinician, one(req.query.patient)));
      await cds.feedback(card, 'accepted');
      res.redirect(303, recordUrl(clinician, card.patient, { app: 'sp-link', card: card.uuid }));
    });
    // "Dismiss" with a reason: reported as overridden; SP Link shows no card for this patient again today.
    router.post('/sandbox/ehr/cds-dismiss', formBody('4kb', 10), async (req, res) => {
      const body = req.body as Record<string, unknown>;
      const card = cardFor(req);
      if (card) {
        const reason = card.overrideReasons.find((r) => r.code === one(body.reason));
        await cds.feedback(card, 'overridden', reason ? { system: reason.system, code: reason.code } : undefined);
      }
      res.redirect(303, recordUrl(one(body.clinician), one(body.patient)));
    });
  }

  if (opts.lw) {
    const lw = opts.lw;
    router.get('/sandbox/services', async (_req, res) => {
      const services = (await lw.exclusive((repo) => repo.currentOfType('HealthcareService'))) as HealthcareService[];
      res.set('Cache-Control', 'no-store').type('html').send(renderServicesPage(services));
    });
  }

  // New-window launch: a fresh launch context each time, with the banner shown by the app.
  router.get('/sandbox/ehr/launch', async (req, res) => {
    const ctx = await resolve(req, res);
    if (!ctx) return;
    if (!ctx.patient) {
      res.status(400).type('html').send(renderNotFound('Choose a patient before launching SP Link.'));
      return;
    }
    const record = recordView(ctx.patient, ctx.all, now());
    const launch = opts.createLaunch({ patient: record.id, practitioner: ctx.clinician.id, encounter: record.encounter, needPatientBanner: true });
    res.set('Cache-Control', 'no-store').redirect(303, launchUrl(launch));
  });

  return router;
}
