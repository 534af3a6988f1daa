import { expect } from 'chai';
import type { ServiceRequest } from '@medplum/fhirtypes';
import { CookieJar, follow, launch, launchUrl, request } from '../../helpers/gp-launch.js';
import { devAuthHeader } from '../../helpers/sandbox-tokens.js';
import { referralForm } from '../../helpers/referral-form.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

const GP = 'gp-1';
const PATIENT = 'pat-02';

/**
 * The GP launch against an EHR that behaves like the SMART reference launcher (smart-launcher-v2): its token
 * endpoint compares the Basic credentials without form-decoding them, and its token responses say nothing of the
 * user (no fhirUser, no id_token).
 */
describe('GP app: launch from an EHR speaking the smart-launcher dialect (integration)', function () {
  this.timeout(180_000);

  describe('without a fallback requester', () => {
    let sys: TestSystem;
    before(async () => {
      sys = await startTestSystem({ background: false, edit: (c) => (c.sandbox.dialects = { ehr: 'smart-launcher' }) });
    });
    after(async () => sys?.stop());

    it('gets past the token endpoint with client id "sp-link", then refuses a launch that does not say who the user is', async () => {
      // Before: the client id went out as "sp%2Dlink", the launcher refused it and the GP saw a generic page.
      const { res, url } = await follow(new CookieJar(), await launchUrl(sys, { patient: PATIENT, practitioner: GP }));
      expect(new URL(url).pathname).to.equal('/smart/callback');
      expect(res.status).to.equal(403);
      const html = await res.text();
      expect(html).to.contain('ERR_SMART_NO_USER').and.contain('data-who="it"').and.contain('could not tell who you are');
      expect(html).to.not.contain('ERR_SMART_INVALID_CLIENT');
    });
  });

  describe('with a fallback requester configured', () => {
    let sys: TestSystem;
    before(async () => {
      sys = await startTestSystem({
        background: false,
        edit: (c) => {
          c.sandbox.dialects = { ehr: 'smart-launcher' };
          c.tenants[0]!.smart!.fallbackRequester = 'Practitioner/gp-3';
        },
      });
    });
    after(async () => sys?.stop());

    it('names the configured requester, never a dangling Practitioner/unknown', async () => {
      const { jar, csrf, context } = await launch(sys, { patient: PATIENT, practitioner: GP });
      expect((context.practitioner as { reference?: string }).reference).to.equal('Practitioner/gp-3');
      const res = await request(jar, `${sys.url}/app/api/referrals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(referralForm(PATIENT)),
      });
      expect(res.status, await res.clone().text()).to.equal(201);
      const { serviceRequestId } = (await res.json()) as { serviceRequestId: string };
      const sr = (await (await fetch(`${sys.config.tenants[0]!.ehr.fhirBase}/ServiceRequest/${serviceRequestId}`, { headers: await devAuthHeader(sys.url, 'ehr') })).json()) as ServiceRequest;
      expect(sr.requester?.reference).to.equal('Practitioner/gp-3');
    });
  });
});
