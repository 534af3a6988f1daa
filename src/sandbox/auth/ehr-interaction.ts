import { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { LaunchStore } from './launch-store.js';
import type { ScopePolicy } from './scope-policy.js';
import { logger } from '../../observability/logger.js';

const log = logger.child({ module: 'sandbox-auth' });

/**
 * The sandbox EHR's login and consent step. In a real EHR the clinician is already signed in and the launch
 * names them; here the clinician chosen on `/sandbox/ehr` is that user, so the interaction completes itself
 * server-side (no password prompt) while the app still goes through a real authorization-code flow.
 * Login and consent are answered together; the scopes granted are those requested that the client's
 * registration allows (ScopePolicy), the same rule the token endpoint applies.
 */
export function ehrInteractionRouter(provider: Provider, launches: LaunchStore, policy: ScopePolicy, fhirBase: string): Router {
  const router = Router();
  router.get('/interaction/:uid', async (req: Request, res: Response) => {
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
    const clientId = String(details.params.client_id);
    const requested = typeof details.params.scope === 'string' ? details.params.scope.split(' ') : [];
    const grant = new provider.Grant({ accountId: launch.practitioner, clientId });
    const oidcScopes = policy.nonClinical(clientId, requested);
    const clinical = policy.clinical(clientId, requested);
    if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
    if (clinical.length) grant.addResourceScope(fhirBase, clinical.join(' '));
    const grantId = await grant.save();
    await launches.bindGrant(grantId, launch);
    log.info({ clientId }, 'sandbox EHR launch authorized');
    await provider.interactionFinished(req, res, { login: { accountId: launch.practitioner, remember: false }, consent: { grantId } }, { mergeWithLastSubmission: false });
  });
  return router;
}
