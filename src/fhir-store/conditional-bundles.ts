import type { FhirRouter } from '@medplum/fhir-router';
import type { Bundle } from '@medplum/fhirtypes';

/**
 * Makes a transaction Bundle with conditional entries (create with `ifNoneExist`, update, patch or delete by
 * search) race-free, by running the whole Bundle, identity resolution included, in one transaction holding
 * the store's write lock.
 *
 * Medplum's batch processor resolves each entry's identity before its transaction opens: it searches for
 * an `ifNoneExist` match and, finding none, rewrites every `urn:uuid` reference to the entry into an id of its
 * own. The entry itself is then created conditionally inside the transaction, so when a concurrent request
 * created the match in between, the entry answers 200 with that resource and the Bundle's other entries point
 * at an id that was never created. With the lock taken first, the search and the writes see the same state.
 *
 * Wrap the router before any authorisation wrapper, so a request is authorised (token and grant checks,
 * which may read the database) before the lock is taken, never while it is held.
 */
export function serialiseConditionalBundles(router: FhirRouter): FhirRouter {
  for (const route of router.router.routes) {
    if (route.data?.interaction !== 'batch') continue;
    const inner = route.handler;
    route.handler = (req, repo, r, options) =>
      req.config?.transactions && hasConditionalEntries(req.body as Bundle)
        ? repo.withTransaction((tx) => inner(req, tx, r, options), { serializable: true, resourceTypes: [] })
        : inner(req, repo, r, options);
  }
  return router;
}

/** A transaction Bundle with an entry whose target is found by a search (Medplum's "strong transaction"). */
export function hasConditionalEntries(bundle: Bundle | undefined): boolean {
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'transaction') return false;
  return (bundle.entry ?? []).some(({ request }) => {
    if (!request) return false;
    if (request.method === 'POST') return Boolean(request.ifNoneExist);
    return ['PUT', 'PATCH', 'DELETE'].includes(request.method) && String(request.url).includes('?');
  });
}
