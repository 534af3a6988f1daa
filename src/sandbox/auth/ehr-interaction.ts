import { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { LaunchStore } from './launch-store.js';
import { logger } from '../../http/logger.js';

const log = logger.child({ module: 'sandbox-auth' });

/**
 * The sandbox EHR's login and consent step. In a real EHR the clinician is already signed in and the launch
 * names them; here the clinician chosen on `/sandbox/ehr` is that user, so the interaction completes itself
 * server-side (no password prompt) while the app still goes through a real authorization-code flow.
 * Scopes granted = those requested that the client's policy allows (see getResourceServerInfo).
 */
export function ehrInteractionRouter(provider: Provider, launches: LaunchStore, fhirBase: string): Router {
  const router = Router();
  router.get('/interaction/:uid', async (req: Request, res: Response, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const launch = launches.resolve(typeof details.params.launch === 'string' ? details.params.launch : undefined);
      if (!launch) {
        // SMART App Launch 2.x: only EHR launch is offered by this sandbox EHR.
        await provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: 'The sandbox EHR supports EHR launch only: open the app from the patient record at /sandbox/ehr.',
        });
        return;
      }
      const accountId = launch.practitioner;
      if (details.prompt.name === 'login') {
        // Two automatic steps, as oidc-provider prompts them: login (the launching clinician), then consent.
        await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
      const resourceScopes = missing.missingResourceScopes?.[fhirBase];
      if (resourceScopes?.length) grant.addResourceScope(fhirBase, resourceScopes.join(' '));
      const grantId = await grant.save();
      launches.bindGrant(grantId, launch);
      log.info({ clientId: details.params.client_id }, 'sandbox EHR launch authorized');
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
