import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';
import { substituteTokens } from '../../../src/cds/index.js';
import { listen } from '../../helpers/http.js';
import { CLIENT_ISS, startCdsHarness, type CdsHarness } from '../cds/harness.js';

/**
 * SP Link's CDS Hooks service against the CDS Hooks 2.0 specification (cds-hooks.hl7.org/2.0): the discovery
 * response, the hook request and card response, prefetch token substitution and the client JWT rules
 * ("Trusting CDS Clients"). The schemas below are written from the specification's tables, not from SP Link's code.
 */

const coding = z.object({ system: z.string().min(1), code: z.string().min(1), display: z.string().optional() });
/** Discovery: `services`, each with hook, id and description required; prefetch a map of query templates. */
const discoverySpec = z.object({
  services: z.array(
    z.object({
      hook: z.string().min(1),
      title: z.string().optional(),
      description: z.string().min(1),
      id: z.string().regex(/^[A-Za-z0-9._~-]+$/, 'the id is the URL segment of {baseUrl}/cds-services/{id}'),
      prefetch: z.record(z.string(), z.string()).optional(),
      usageRequirements: z.string().optional(),
    }),
  ),
});
/** Card: summary (< 140 characters), indicator, source.label required; links absolute|smart; appContext only for smart. */
const cardSpec = z
  .object({
    uuid: z.string().optional(),
    summary: z.string().min(1).max(140),
    detail: z.string().optional(),
    indicator: z.enum(['info', 'warning', 'critical']),
    source: z.object({ label: z.string().min(1), url: z.url().optional(), icon: z.url().optional(), topic: coding.optional() }),
    suggestions: z.array(z.unknown()).optional(),
    selectionBehavior: z.enum(['at-most-one', 'any']).optional(),
    overrideReasons: z.array(coding).optional(),
    links: z
      .array(z.object({ label: z.string().min(1), url: z.url(), type: z.enum(['absolute', 'smart']), appContext: z.string().optional() }))
      .optional(),
  })
  .refine((c) => (c.links ?? []).every((l) => l.appContext === undefined || l.type === 'smart'), 'appContext only on smart links')
  .refine((c) => c.suggestions !== undefined || c.selectionBehavior === undefined, 'selectionBehavior only with suggestions');
const responseSpec = z.object({ cards: z.array(cardSpec), systemActions: z.array(z.unknown()).optional() });

const PATIENT = 'example';
/** A patient-view request as the specification's example has it, with a need coded in the prefetch. */
const specRequest = () => ({
  hookInstance: randomUUID(),
  fhirServer: undefined,
  hook: 'patient-view',
  context: { userId: 'Practitioner/example', patientId: PATIENT },
  prefetch: {
    patient: { resourceType: 'Patient', id: PATIENT },
    conditions: {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { resourceType: 'Condition', subject: { reference: `Patient/${PATIENT}` }, code: { coding: [{ system: 'http://snomed.info/sct', code: '422650009' }] } } }],
    },
    needObservations: { resourceType: 'Bundle', type: 'searchset', entry: [] },
    encounters: { resourceType: 'Bundle', type: 'searchset' },
    referrals: { resourceType: 'Bundle', type: 'searchset', total: 0 },
  },
});

describe('CDS Hooks 2.0 conformance', function () {
  this.timeout(60_000);
  let h: CdsHarness;
  before(async () => {
    h = await startCdsHarness();
  });
  beforeEach(async () => h.reset());
  after(async () => h.close());

  it('discovery: GET {baseUrl}/cds-services lists the patient-view service with its prefetch templates', async () => {
    const res = await fetch(`${h.url}/cds-services`);
    expect(res.status).to.equal(200);
    const body = discoverySpec.parse(await res.json());
    const service = body.services.find((s) => s.hook === 'patient-view')!;
    expect(`${h.url}/cds-services/${service.id}`).to.equal(h.serviceUrl);
    for (const template of Object.values(service.prefetch ?? {})) expect(template).to.include('{{context.patientId}}');
    expect(res.headers.get('access-control-allow-origin')).to.equal('*');
  });

  it('request and response: the specification’s patient-view request (with fhirServer absent) gets cards of the specified shape', async () => {
    const { fhirServer: _omit, ...request } = specRequest();
    const res = await h.call(request);
    expect(res.status).to.equal(200);
    const body = responseSpec.parse(res.body);
    expect(body.cards).to.have.length(1);
    expect(body.cards[0]!.uuid, 'a uuid, so feedback can name the card').to.match(/^[0-9a-f-]{36}$/);
  });

  it('feedback: POST {baseUrl}/cds-services/{id}/feedback accepts the specification’s accepted and overridden shapes', async () => {
    const card = responseSpec.parse((await h.call(specRequest())).body).cards[0]!;
    const res = await h.call(
      { feedback: [{ card: card.uuid, outcome: 'overridden', overrideReason: { reason: card.overrideReasons![0], userComment: 'free text' }, outcomeTimestamp: '2026-12-01T10:00:30Z' }] },
      undefined,
      h.feedbackUrl,
    );
    expect(res.status).to.equal(200);
    const malformed = await h.call({ feedback: [{ card: card.uuid, outcome: 'ignored', outcomeTimestamp: 'yesterday' }] }, undefined, h.feedbackUrl);
    expect(malformed.status).to.equal(400);
  });

  describe('prefetch tokens', () => {
    const context = { userId: 'Practitioner/gp-1', patientId: '123', encounterId: '456', note: 'a&b c' };
    it('substitutes {{context.*}} and the user tokens, URL-encoded', () => {
      expect(substituteTokens('Patient/{{context.patientId}}', context)).to.equal('Patient/123');
      expect(substituteTokens('Encounter?_id={{context.encounterId}}&patient={{ context.patientId }}', context)).to.equal('Encounter?_id=456&patient=123');
      expect(substituteTokens('Practitioner/{{userPractitionerId}}', context)).to.equal('Practitioner/gp-1');
      expect(substituteTokens('Basic?x={{context.note}}', context)).to.equal('Basic?x=a%26b%20c');
    });
    it('leaves a template that names a token without a value unrun', () => {
      expect(substituteTokens('PractitionerRole/{{userPractitionerRoleId}}', context)).to.equal(undefined);
      expect(substituteTokens('Encounter/{{context.encounterId}}', { userId: 'Practitioner/1', patientId: '1' })).to.equal(undefined);
    });
  });

  describe('client JWT', () => {
    const expectRefused = async (token: string | null, why: RegExp) => {
      const res = await h.call(specRequest(), token);
      expect(res.status, JSON.stringify(res.body)).to.equal(401);
      expect((res.body.error as { message: string }).message).to.match(why);
    };

    it('refuses a request with no JWT, or something that is not one', async () => {
      await expectRefused(null, /no Bearer JWT/);
      await expectRefused('not-a-jwt', /no Bearer JWT/);
    });

    it('refuses a JWT for another audience, expired, living longer than five minutes, or without jti', async () => {
      const iat = Math.floor(h.now.value.getTime() / 1000);
      await expectRefused(await h.sign({ aud: 'https://other-service.example/cds-services/x' }), /aud/);
      await expectRefused(await h.sign({ iat: iat - 600, exp: iat - 300 }), /expired/);
      await expectRefused(await h.sign({ exp: iat + 3600 }), /five minutes/);
      await expectRefused(await h.sign({ jti: undefined }), /jti/);
    });

    it('refuses an issuer that is not configured, a bad signature, and a JWT used before', async () => {
      await expectRefused(await h.sign({ iss: 'https://unknown.example' }), /issuer/);
      const { privateKey: other } = await generateKeyPair('ES384');
      const iat = Math.floor(h.now.value.getTime() / 1000);
      const forged = await new SignJWT({ iss: CLIENT_ISS, aud: h.serviceUrl, iat, exp: iat + 60, jti: randomUUID() }).setProtectedHeader({ alg: 'ES384', kid: 'client-1' }).sign(other);
      await expectRefused(forged, /signature/);
      const once = await h.sign();
      expect((await h.call(specRequest(), once)).status).to.equal(200);
      await expectRefused(once, /replay/);
    });

    it('refuses algorithms other than ES384 and RS384, and never follows a jku the token names', async () => {
      const hs = await new SignJWT({ iss: CLIENT_ISS, aud: h.serviceUrl, exp: Math.floor(h.now.value.getTime() / 1000) + 60, jti: randomUUID() })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!!'));
      await expectRefused(hs, /algorithm/);

      const attacker = await generateKeyPair('ES384');
      const jwks = express();
      let fetched = 0;
      jwks.get('/jwks.json', async (_req, res) => {
        fetched++;
        res.json({ keys: [{ ...(await exportJWK(attacker.publicKey)), kid: 'evil', alg: 'ES384' }] });
      });
      const evil = await listen(jwks);
      try {
        const iat = Math.floor(h.now.value.getTime() / 1000);
        const token = await new SignJWT({ iss: CLIENT_ISS, aud: h.serviceUrl, iat, exp: iat + 60, jti: randomUUID() })
          .setProtectedHeader({ alg: 'ES384', kid: 'evil', jku: `${evil.url}/jwks.json` })
          .sign(attacker.privateKey);
        await expectRefused(token, /no key of the client matches|signature/);
        expect(fetched).to.equal(0);
      } finally {
        await evil.close();
      }
    });

    it('accepts aud as an array naming the service, and the feedback endpoint’s own URL as aud', async () => {
      expect((await h.call(specRequest(), await h.sign({ aud: ['https://elsewhere.example', h.serviceUrl] }))).status).to.equal(200);
      const card = responseSpec.parse((await h.call(specRequest())).body).cards[0];
      const fb = { feedback: [{ card: card?.uuid ?? randomUUID(), outcome: 'accepted', outcomeTimestamp: '2026-12-01T10:00:00Z' }] };
      expect((await h.call(fb, await h.sign({ aud: h.feedbackUrl }), h.feedbackUrl)).status).to.equal(200);
      expect((await h.call(fb, null, h.feedbackUrl)).status).to.equal(401);
    });
  });
});
