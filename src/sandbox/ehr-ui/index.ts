import { Router, type Request, type Response } from 'express';
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { SandboxFhirServer } from '../fhir/index.js';
import type { LaunchContext } from '../auth/launch-store.js';
import { renderEhrPage, renderNotFound } from './page.js';
import { clinicianRows, recordView, searchPatients } from './record.js';
import { sandboxAssetsRouter } from './assets.js';
import { normaliseBaseUrl } from '../../referral-model/references.js';

export interface SandboxEhrUiOptions {
  /** The sandbox EHR FHIR server; the page reads its repository directly. */
  ehr: SandboxFhirServer;
  /** Where SP Link is reachable (config server.publicUrl): the launch goes to `{publicUrl}/launch`. */
  publicUrl: string;
  createLaunch(context: LaunchContext): string;
  /** Clock, for ages. */
  now?: () => Date;
}

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

  router.get('/sandbox/ehr', async (req, res) => {
    const ctx = await resolve(req, res);
    if (!ctx) return;
    const query = one(req.query.q);
    const record = ctx.patient ? recordView(ctx.patient, ctx.all, now()) : undefined;
    // Embedded launch: the record page already shows the patient banner, so the app need not.
    const embeddedLaunchUrl =
      record && one(req.query.app) === 'sp-link'
        ? launchUrl(opts.createLaunch({ patient: record.id, practitioner: ctx.clinician.id, encounter: record.encounter, needPatientBanner: false }))
        : undefined;
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(renderEhrPage({ clinicians: ctx.clinicians, clinician: ctx.clinician, query, patients: searchPatients(ctx.all('Patient'), query, now()), record, embeddedLaunchUrl }));
  });

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
