import { validate as validateCron } from 'node-cron';
import { z } from 'zod';
import { NEEDS, type NeedCode } from '../referral-model/codes.js';
import { createHmac } from 'node:crypto';
import { FHIR_ID_CHARS, normaliseBaseUrl, RESOURCE_TYPE_CHARS } from '../referral-model/references.js';

/**
 * SP Link configuration. YAML on disk, `${ENV}` / `${ENV:-default}` substituted before validation
 * (see load.ts), validated completely (every error at once) and then frozen.
 */

const url = z.url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL, e.g. https://fhir.example.nhs.uk/R4' });
/** A server base (FHIR base, public URL): normalised once here, so nothing downstream trims or compares case again. */
const baseUrl = url.transform(normaliseBaseUrl);
const ORGANIZATION_REF = new RegExp(`^Organization/${FHIR_ID_CHARS}$`);
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a lower-case id of letters, digits and dashes, e.g. "riverside-practice"');
/** Server behaviours the sandbox can reproduce (src/sandbox/dialects; docs/INTEGRATION.md, "Dialects"). */
export const DIALECT_NAMES = ['sp-link', 'medplum', 'hapi', 'smart-launcher'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/** Requests allowed per rate-limit window. */
const limit = (d: number) => z.number().int().min(1).max(1_000_000).default(d);

const secret = z.string().min(1, 'must not be empty; set it from the environment, e.g. ${SP_LINK_ADMIN_TOKEN}');

/** How SP Link authenticates to a FHIR endpoint with its own (backend) identity. */
export const fhirAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('bearer'), token: secret }).strict(),
  z
    .object({
      type: z.literal('client-credentials'),
      clientId: z.string().min(1),
      clientSecret: secret,
      /** Absent: discovered from `{fhirBase}/.well-known/smart-configuration` (and the issuer's OAuth metadata). */
      tokenUrl: url.optional(),
      scope: z.string().min(1),
      /**
       * How the secret is sent (RFC 7591 token_endpoint_auth_method). Absent: chosen from the server's published
       * `token_endpoint_auth_methods_supported` (client_secret_basic when listed or nothing is published).
       */
      tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']).optional(),
    })
    .strict(),
  z
    .object({
      /** SMART Backend Services: client_credentials with a private_key_jwt assertion. */
      type: z.literal('smart-backend'),
      clientId: z.string().min(1),
      tokenUrl: url.optional(),
      scope: z.string().min(1),
      /** Private JWK (JSON) or PKCS#8 PEM, normally from the environment. */
      privateKey: secret.optional(),
      /** Path to a private JWK/PEM file, as an alternative to `privateKey`. */
      privateKeyFile: z.string().min(1).optional(),
      kid: z.string().min(1),
      alg: z.enum(['RS384', 'ES384']).default('RS384'),
    })
    .strict()
    .refine((a) => Boolean(a.privateKey) !== Boolean(a.privateKeyFile), {
      message: 'set exactly one of privateKey or privateKeyFile',
    }),
]);
export type FhirAuthConfig = z.infer<typeof fhirAuthSchema>;
/** SP Link's identity at an endpoint: as configured, or (`hosted`) filled in at load for a record SP Link hosts. */
export type EndpointAuthConfig = FhirAuthConfig | HostedSelfAuth;

/**
 * When the decision-support prompt shows (src/cds/rules.ts; docs/CDS-HOOKS.md). Every key is optional: the top-level
 * `cds.rules` overrides SP Link's defaults, a practice's `tenants[].cds.rules` overrides those.
 */
export const cdsRulesSchema = z
  .object({
    socialNeed: z.boolean().optional(),
    frequentAttender: z
      .object({ enabled: z.boolean().optional(), encounters: z.number().int().min(1).max(365).optional(), months: z.number().int().min(1).max(60).optional() })
      .strict()
      .optional(),
    recentReferralDays: z.number().int().min(0).max(3650).optional(),
    followUp: z
      .object({ enabled: z.boolean().optional(), afterDays: z.number().int().min(1).max(3650).optional(), windowDays: z.number().int().min(1).max(3650).optional() })
      .strict()
      .optional(),
    observationMonths: z.number().int().min(1).max(120).optional(),
    /** A practice's own codes for social needs (local codes, other SNOMED CT concepts), each mapped to an SP Link need. */
    extraNeedCodes: z
      .array(z.object({ system: z.string().min(1), code: z.string().min(1), need: z.enum(NEEDS.map((n) => n.code) as [NeedCode, ...NeedCode[]]) }).strict())
      .optional(),
  })
  .strict();
export type CdsRulesConfig = z.infer<typeof cdsRulesSchema>;

/** A GP system allowed to call SP Link's CDS Hooks service for this practice, and where its signing keys are. */
export const cdsClientSchema = z
  .object({
    /** The `iss` of the client's JWTs (the GP system's identifier, often its base URL). */
    iss: z.string().min(1),
    /** The client's JWK Set: SP Link verifies each request's JWT with these keys (never a `jku` the token names). */
    jwksUrl: url,
  })
  .strict();

export const tenantSchema = z
  .object({
    id,
    name: z.string().min(1),
    /** ODS code of the GP practice. */
    odsCode: z.string().regex(/^[A-Z0-9]{3,10}$/, 'expected an ODS code, e.g. Y12345').optional(),
    /** Primary Care Network the practice belongs to (reports filter by it). */
    pcn: z.string().min(1).optional(),
    ehr: z
      .object({
        fhirBase: baseUrl,
        /** SP Link's backend identity at the EHR, used by the reconciler for write-back. */
        auth: fhirAuthSchema,
      })
      .strict(),
    smart: z
      .object({
        clientId: z.string().min(1),
        /** client-confidential-symmetric; omit when using a private key (asymmetric) or for a public client. */
        clientSecret: secret.optional(),
        /**
         * How the GP app authenticates at the EHR's token endpoint. Absent: private_key_jwt with a key,
         * else chosen from the server's metadata with a secret (client_secret_basic when listed), else none.
         */
        tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']).optional(),
        /** client-confidential-asymmetric (private_key_jwt): private JWK or PKCS#8 PEM, normally from the environment. */
        privateKey: secret.optional(),
        privateKeyFile: z.string().min(1).optional(),
        kid: z.string().min(1).optional(),
        /** Signing algorithm of the private key (default RS384). */
        alg: z.enum(['RS384', 'ES384']).optional(),
        /**
         * Who the referral is from when the EHR does not say who launched SP Link (no `fhirUser`): a
         * Practitioner or PractitionerRole on the EHR, e.g. the practice's duty-clinician role. Absent: such a
         * launch is refused with a page saying the practice's IT must grant `openid fhirUser`.
         */
        fallbackRequester: z
          .string()
          .regex(new RegExp(`^(Practitioner|PractitionerRole)/${FHIR_ID_CHARS}$`), 'expected Practitioner/<id> or PractitionerRole/<id>')
          .optional(),
        /** The only `iss` values a launch may name; anything else is refused before any redirect. */
        issAllowlist: z.array(baseUrl).min(1),
        /** Least privilege: SMART v2 scopes the GP app asks for. */
        scopes: z.string().min(1),
      })
      .strict(),
    /** Origins allowed to frame the GP app (CSP frame-ancestors), e.g. the GP system's web origin. */
    frameAncestors: z.array(z.string().min(1)).default([]),
    /** Link-worker endpoint that receives this practice's referrals (id from `linkWorkerEndpoints`). */
    linkWorkerEndpoint: id,
    /** The "remember to refer" prompt for this practice (docs/CDS-HOOKS.md): which GP systems may call it, its rules. */
    cds: z
      .object({
        clients: z.array(cdsClientSchema).default([]),
        rules: cdsRulesSchema.optional(),
        /** The local social prescribing service overview the card links to (e.g. the PCN's page). */
        serviceOverviewUrl: url.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TenantConfig = z.infer<typeof tenantSchema>;

/**
 * A provider in the directory that takes referrals itself instead of through the link-worker service
 * (docs/CONFIGURATION.md, "Referral routes"). Its directory services are matched by `HealthcareService.providedBy`
 * (this reference, or this ODS code as identifier); the Task is owned by this organisation.
 */
export const directReferralSchema = z.discriminatedUnion('via', [
  z
    .object({
      /** Its staff sign in to SP Link's workspace (organisation claim = `odsCode`); the Task stays at this endpoint. */
      via: z.literal('workspace'),
      organization: z.string().regex(ORGANIZATION_REF, 'expected Organization/<id> as the directory names the provider'),
      odsCode: z.string().min(1),
      name: z.string().min(1),
    })
    .strict(),
  z
    .object({
      /** It has its own FHIR server, configured as another link-worker endpoint: the Task is written there. */
      via: z.literal('endpoint'),
      organization: z.string().regex(ORGANIZATION_REF, 'expected Organization/<id> as the directory names the provider'),
      odsCode: z.string().min(1),
      name: z.string().min(1),
      /** Id of the provider's own endpoint in `linkWorkerEndpoints`. */
      endpoint: id,
    })
    .strict(),
]);
export type DirectReferralConfig = z.infer<typeof directReferralSchema>;

/** The client id of SP Link's own components (workspace, reconciler, GP app) at a hosted record. */
export const HOSTED_SELF_CLIENT_ID = 'sp-link';

/**
 * SMART system scopes a hosted record may grant (SMART App Launch 2.x: `system/<Type or *>.<cruds>`, v1 `.read`/`.write`);
 * the runtime reading of scopes is src/fhir-server/access/smart-scopes.ts.
 */
const SYSTEM_SCOPE = new RegExp(`^system/(\\*|${RESOURCE_TYPE_CHARS})\\.(read|write|\\*|(?=[cruds])c?r?u?d?s?)$`);

/** The registration of a system that signs in with SMART Backend Services (client credentials, private_key_jwt). */
const backendClientFields = {
    /** The `iss`/`sub` of its client assertions. */
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{1,128}$/, 'expected a client id of letters, digits and . _ ~ -')
      .refine((c) => c !== HOSTED_SELF_CLIENT_ID, `"${HOSTED_SELF_CLIENT_ID}" is SP Link's own client id`),
    /** Who it is, for the audit trail and the doctor, e.g. "Riverside case system". */
    name: z.string().min(1),
    /** Its public keys (JWK Set), as a URL SP Link fetches (never a `jku` a token names)… */
    jwksUrl: url.optional(),
    /** …or inline. */
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
    /** Least privilege: the most this client may be granted, e.g. "system/Task.rs system/Observation.rs". */
    scopes: z
      .string()
      .min(1)
      .refine((s) => s.split(' ').every((x) => SYSTEM_SCOPE.test(x)), 'expected space-separated SMART system scopes, e.g. system/Task.rs system/Task.u'),
};
const oneKeySet = { message: 'set exactly one of jwksUrl or jwks', path: ['jwksUrl'] };

/** An external system allowed to use a hosted record with SMART Backend Services (client credentials, private_key_jwt). */
export const hostedClientSchema = z
  .object(backendClientFields)
  .strict()
  .refine((c) => Boolean(c.jwksUrl) !== Boolean(c.jwks), oneKeySet);
export type HostedClientConfig = z.infer<typeof hostedClientSchema>;

/**
 * An agency's own system allowed to post referrals to the referral API (docs/INTEGRATION.md, "Referrals from
 * agencies' systems"), with SMART Backend Services. The organisation is the agency's, as SP Link records it on every
 * referral the client sends (never taken from the referral itself).
 */
export const agencyClientSchema = z
  .object({
    ...backendClientFields,
    scopes: backendClientFields.scopes.default('system/ServiceRequest.c'),
    organisation: z
      .object({
        name: z.string().min(1).max(120),
        /** ODS code, where the agency has one (pharmacies, trusts, councils, many charities). */
        odsCode: z.string().regex(/^[A-Z0-9]{3,10}$/, 'expected an ODS code of 3 to 10 capital letters and digits').optional(),
      })
      .strict(),
  })
  .strict()
  .refine((c) => Boolean(c.jwksUrl) !== Boolean(c.jwks), oneKeySet);
export type AgencyClientConfig = z.infer<typeof agencyClientSchema>;

/** SP Link's OIDC client at a staff IdP (the workspace's, a known agency's), and the claims it reads. */
const staffIdpFields = {
  issuer: url,
  clientId: z.string().min(1),
  clientSecret: secret,
  scopes: z.string().default('openid profile email'),
  /** Claim carrying the user's roles. */
  rolesClaim: z.string().default('roles'),
  /** Claim carrying the user's organisation (ODS code). */
  organizationClaim: z.string().default('org'),
};

/**
 * An agency whose staff may sign in to the public agency form with their organisation's staff IdP (OIDC), so that
 * their referrals are verified (docs/CONFIGURATION.md, "Agencies that sign in"). The organisation shown on the
 * referral is this entry's, never the form's; the IdP must name it (`organizationClaim` = `odsCode`) and give the
 * user one of `roles`.
 */
export const knownAgencySchema = z
  .object({
    id,
    name: z.string().min(1).max(120),
    odsCode: z.string().regex(/^[A-Z0-9]{3,10}$/, 'expected an ODS code of 3 to 10 capital letters and digits'),
    oidc: z
      .object({
        // Only ID tokens from `issuer` are accepted; the organisation claim must equal `odsCode`.
        ...staffIdpFields,
        /** The staff roles that may refer for this agency (one of them must be in `rolesClaim`). */
        roles: z.array(z.string().min(1)).min(1),
        /** Claim carrying the user's job title (pre-fills "Your role"). */
        jobTitleClaim: z.string().default('job_title'),
      })
      .strict(),
  })
  .strict();
export type KnownAgencyConfig = z.infer<typeof knownAgencySchema>;

/** Where a hosted record lives under `server.publicUrl`. */
export const hostedFhirBase = (publicUrl: string, endpointId: string): string => `${publicUrl}/hosted/${endpointId}/fhir`;

export const linkWorkerEndpointSchema = z
  .object({
    id,
    name: z.string().min(1),
    /** The endpoint's FHIR base; for a hosted record it is SP Link's own, `{publicUrl}/hosted/{id}/fhir`, and not set here. */
    fhirBase: baseUrl.optional(),
    /** SP Link's backend identity at the endpoint; not set for a hosted record (SP Link signs its own tokens). */
    auth: fhirAuthSchema.optional(),
    /**
     * SP Link keeps this link-worker record itself (docs/CONFIGURATION.md, "Hosted link-worker records"), in its own
     * database, for a service without a FHIR server of its own: its staff use the workspace.
     */
    hosted: z.boolean().default(false),
    /** Hosted records only: the external systems that may read or write it (SMART Backend Services). */
    backendClients: z.array(hostedClientSchema).default([]),
    /** ODS code / identifier of the link-worker organisation that owns the Tasks. */
    organizationOdsCode: z.string().min(1).optional(),
    /**
     * For a server behind a gateway that writes the server's own (internal) base into search `next` links: links
     * under this base are read from `fhirBase` instead. Without it such links are refused and the endpoint shows as stalled.
     */
    nextLinkBase: baseUrl.optional(),
    subscriptions: z
      .object({
        /** Create and maintain a rest-hook Subscription where the endpoint supports it. */
        enabled: z.boolean().default(true),
        /** How long the server gets to activate a `requested` Subscription before SP Link sets it `active` itself (default 5). */
        activationWaitSeconds: z.number().int().min(0).max(300).optional(),
        /**
         * A Task change found by polling this long after it happened, with no notification since, means notifications
         * are not arriving: SP Link says so (metric, log, status), relies on polling and re-requests the Subscription
         * (default 120).
         */
        notificationTimeoutSeconds: z.number().int().min(10).max(86_400).optional(),
      })
      .strict()
      .default({ enabled: true }),
    /**
     * Providers in this endpoint's directory that take referrals directly. Every other directory service is
     * referred via the link-worker service: the Task goes to this endpoint's organisation and the chosen service
     * travels as the GP's suggestion.
     */
    directReferrals: z.array(directReferralSchema).default([]),
  })
  .strict();

/**
 * SP Link's own credential at a hosted record: short-lived access tokens it signs for itself with `key` (derived
 * from `server.sessionSecret`, so every instance with the same configuration signs and verifies alike).
 */
export interface HostedSelfAuth {
  readonly type: 'hosted';
  readonly key: string;
}
/** A link-worker endpoint after loading: a hosted record has its base and SP Link's own credential filled in. */
export type LinkWorkerEndpointConfig = Omit<z.infer<typeof linkWorkerEndpointSchema>, 'fhirBase' | 'auth'> & {
  fhirBase: string;
  auth: EndpointAuthConfig;
};

const configObject = z
  .object({
    server: z
      .object({
        port: z.coerce.number().int().min(0).max(65535).default(3000),
        host: z.string().default('127.0.0.1'),
        /** The URL users and EHRs reach SP Link at (redirect URIs, webhooks, links). */
        publicUrl: baseUrl,
        /** Signs session cookies. */
        sessionSecret: z.string().min(32, 'must be at least 32 characters of random data'),
        /**
         * Cookie mode. `embedded-cross-site` = SameSite=None; Secure; Partitioned (app framed by an EHR on
         * another site, requires https). `same-site` = SameSite=Lax (sandbox on one origin, plain http allowed).
         */
        cookieMode: z.enum(['embedded-cross-site', 'same-site']).default('embedded-cross-site'),
        trustProxy: z.union([z.boolean(), z.number().int(), z.string()]).default(false),
        sessionIdleMinutes: z.number().int().min(1).max(24 * 60).default(30),
        /** Workspace sessions that started a sign-in and hold no user yet, kept at most (the oldest go first). */
        maxPreLoginSessions: z.number().int().min(10).max(10_000_000).default(10_000),
        /** On SIGTERM/SIGINT: in-flight work gets half of this to finish; the process exits by the end of it. */
        shutdownSeconds: z.number().int().min(1).max(600).default(20),
        /**
         * Idle keep-alive connections are kept this long: longer than any client's or proxy's idle timeout, so a request
         * is never sent on a socket the server is closing (ECONNRESET for a client, 502 from a load balancer).
         */
        keepAliveSeconds: z.number().int().min(1).max(3600).default(65),
        /**
         * Link-worker Task histories the GP app keeps for referral timelines, read again only when a Task changes
         * (src/referrals/task-history-cache.ts); the least recently listed go first. 0: read every listing.
         */
        taskHistoryCacheEntries: z.number().int().min(0).max(1_000_000).default(2000),
      })
      .strict(),
    dataDir: z.string().min(1).default('./data'),
    store: z
      .object({
        /** PostgreSQL URL; absent or empty → embedded PGlite under dataDir. */
        databaseUrl: z
          .string()
          .optional()
          .transform((s) => (s ? s : undefined)),
        /**
         * PostgreSQL schema SP Link's tables live in (created when missing), for a database shared with other
         * systems or environments. Absent: `public`. Ignored by the embedded store.
         */
        schema: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected lower-case letters, digits and _ (at most 63), not starting with a digit')
          .optional(),
      })
      .strict()
      .default({ databaseUrl: undefined }),
    sandbox: z
      .object({
        enabled: z.boolean().default(false),
        /** Sandbox only: the documented developer client (sandbox-dev / sandbox-dev-secret). Loud on purpose. */
        allowInsecureDeveloperClient: z.boolean().default(false),
        /**
         * Which real server each sandbox server behaves like (docs/INTEGRATION.md, "Dialects"): `sp-link` (reference),
         * `medplum`, `hapi` or `smart-launcher`. For trying SP Link against field behaviour without those servers.
         */
        dialects: z
          .object({ ehr: z.enum(DIALECT_NAMES).default('sp-link'), lw: z.enum(DIALECT_NAMES).default('sp-link') })
          .strict()
          .default({ ehr: 'sp-link', lw: 'sp-link' }),
      })
      .strict()
      .default({ enabled: false, allowInsecureDeveloperClient: false, dialects: { ehr: 'sp-link', lw: 'sp-link' } }),
    tenants: z.array(tenantSchema).min(1, 'configure at least one GP practice (tenant)'),
    linkWorkerEndpoints: z.array(linkWorkerEndpointSchema).min(1, 'configure at least one link-worker endpoint'),
    reconcile: z
      .object({
        enabled: z.boolean().default(true),
        /** node-cron expression (6 fields = with seconds). */
        pollSchedule: z.string().default('*/15 * * * * *'),
        /** Overlap of the polling window, to tolerate clock skew between servers. */
        skewSeconds: z.number().int().min(0).max(3600).default(30),
        pageSize: z.number().int().min(1).max(1000).default(100),
        maxAttempts: z.number().int().min(1).max(50).default(6),
        /** Shared secret the link-worker server sends on rest-hook notifications. */
        webhookSecret: secret,
        /** What happens to the referral when the Task fails: revoke it, or leave it unchanged. */
        failedTaskRevokesReferral: z.boolean().default(true),
        /** Change-feed runs of one endpoint failing in a row that raise its alert (metric, log line, status). */
        alertAfterFailedRuns: z.number().int().min(1).max(1000).default(5),
        /**
         * Escalation of referrals not accepted within `responseTargetHours` (docs/OPERATIONS.md, "Escalation"): a note on
         * the Task for the service manager and a message to the GP in the record, once per referral.
         */
        escalation: z
          .object({
            enabled: z.boolean().default(true),
            /** node-cron expression of the sweep (6 fields = with seconds). */
            schedule: z.string().default('0 */5 * * * *'),
          })
          .strict()
          .prefault({}),
      })
      .strict(),
    workspace: z
      .object({
        enabled: z.boolean().default(true),
        oidc: z
          .object({
            // Roles: `link-worker`, `service-manager`, `provider`, `commissioner`.
            ...staffIdpFields,
            /** Claim carrying the user's FHIR Practitioner reference at the link-worker endpoint. */
            practitionerClaim: z.string().default('fhirUser'),
          })
          .strict(),
        /** Failed contact attempts before a case is marked "could not contact". */
        maxContactAttempts: z.number().int().min(1).max(10).default(3),
        /** Months after completion at which a follow-up is due to repeat the outcome measures (workspace/domain/follow-up.ts). */
        followUpMonths: z.array(z.number().int().min(1).max(24)).max(6)
          .refine((m) => new Set(m).size === m.length, 'each interval once')
          .default([3, 6]),
        /** Link-worker endpoint this workspace writes to. */
        linkWorkerEndpoint: id,
      })
      .strict()
      .optional(),
    /**
     * Referrals from anyone (docs/CONFIGURATION.md, "Referrals from people and agencies"): the public self-referral
     * form at `/refer`. Referrals go to one link-worker endpoint; the person is matched against the EHR of every
     * tenant whose referrals go there.
     */
    intake: z
      .object({
        enabled: z.boolean().default(true),
        /** Link-worker endpoint that receives these referrals (id from `linkWorkerEndpoints`). */
        linkWorkerEndpoint: id,
        /** Referrals one email address or phone number may send in 24 hours. */
        perContactPerDay: z.number().int().min(1).max(100).default(3),
        /** Agencies' systems that may post referrals to the referral API (`{publicUrl}/referral-api/fhir`). */
        agencyClients: z.array(agencyClientSchema).default([]),
        /** Agencies whose staff may sign in to the agency form (`/refer/agency/sign-in`) to send verified referrals. */
        knownAgencies: z.array(knownAgencySchema).default([]),
      })
      .strict()
      .optional(),
    /**
     * Rate limits per client (docs/CONFIGURATION.md, "Rate limits"): requests allowed per window for each group of
     * endpoints, per IP address and, where the request names one, per account, OAuth client or endpoint. Counted in
     * the store when it is PostgreSQL (shared by every instance), in memory with the embedded store.
     */
    rateLimits: z
      .object({
        enabled: z.boolean().default(true),
        windowSeconds: z.number().int().min(1).max(3600).default(60),
        /** GP launch and callback, workspace sign-in and callback, the sandbox authorization endpoints. */
        login: z.object({ perIp: limit(120) }).strict().prefault({}),
        /** The sandbox token endpoints; per client by the client id of the Basic credentials. */
        token: z.object({ perIp: limit(300), perClient: limit(120) }).strict().prefault({}),
        /** Rest-hook notifications; per configured endpoint id. */
        webhook: z.object({ perIp: limit(1200), perEndpoint: limit(600) }).strict().prefault({}),
        /** Public forms (the sandbox staff sign-in form); per account by the name entered. */
        forms: z.object({ perIp: limit(30), perAccount: limit(10) }).strict().prefault({}),
        /** The public referral forms' posts (each step and the submission), per IP address. */
        referrals: z.object({ perIp: limit(60) }).strict().prefault({}),
        /** The referral API (token requests and referrals), per IP address and per agency client. */
        referralApi: z.object({ perIp: limit(120), perClient: limit(60) }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
    /**
     * Hours a link-worker service has to accept (or decline) a referral, per urgency; absent: routine 120, soon 72,
     * urgent 24 (src/referral-model/response-targets.ts). Past it, the referral is escalated and marked overdue.
     */
    responseTargetHours: z
      .object({ routine: z.number().positive().max(8760).optional(), soon: z.number().positive().max(8760).optional(), urgent: z.number().positive().max(8760).optional() })
      .strict()
      .optional(),
    /** Evaluation reports for commissioners and services (docs/REPORTS.md). */
    reports: z
      .object({
        /**
         * CSV of postcode → LSOA → IMD decile (header `postcode,lsoa,imd_decile`) the deploying organisation supplies;
         * absent: deprivation is not reported.
         */
        imdLookupFile: z.string().min(1).optional(),
        /**
         * Bearer token for analytics platforms pulling the reports (CSV, FHIR Measure and MeasureReport) without a
         * workspace sign-in; the admin token is accepted too (the `sp-link report` CLI). Absent: only the admin token.
         */
        apiToken: secret.optional(),
        /** Small-number suppression: counts 1 … threshold − 1 are shown as "<threshold"; secondary suppression protects them from totals. */
        suppression: z
          .object({ threshold: z.number().int().min(1).max(100).default(8), secondary: z.boolean().default(true) })
          .strict()
          .prefault({}),
        /**
         * node-cron expression of the GP demand sweep (6 fields = with seconds): referrals whose 6 months after have
         * passed get their GP appointments counted from the EHR's Encounters (docs/REPORTS.md, "GP demand").
         */
        gpDemandSchedule: z.string().refine((s) => validateCron(s), 'expected a node-cron expression, e.g. "0 30 2 * * *"').default('0 30 2 * * *'),
        /**
         * What each commissioner may see (docs/REPORTS.md, "Who sees what"): the PCNs and practices of an area, given
         * for an organisation (ODS code of the commissioner's organisation, e.g. the ICB) or for one commissioner (IdP
         * subject). A commissioner with no area here is refused the reports, with what to configure.
         */
        areas: z
          .array(
            z
              .object({
                /** ODS code of the organisation whose commissioners see this area. */
                organisation: z.string().regex(/^[A-Z0-9]{3,10}$/, 'expected an ODS code of 3 to 10 capital letters and digits').optional(),
                /** IdP subject of one commissioner who sees this area (instead of, or as well as, their organisation's). */
                commissioner: z.string().min(1).optional(),
                /** PCNs in the area (as in `tenants[].pcn`). */
                pcns: z.array(z.string().min(1)).default([]),
                /** ODS codes of practices in the area, besides those of its PCNs. */
                practices: z.array(z.string().regex(/^[A-Z0-9]{3,10}$/, 'expected an ODS code, e.g. Y12345')).default([]),
              })
              .strict()
              .refine((a) => (a.organisation ? 1 : 0) + (a.commissioner ? 1 : 0) === 1, 'name either an organisation or a commissioner')
              .refine((a) => a.pcns.length + a.practices.length > 0, 'name at least one PCN or practice'),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    /**
     * The local directory (docs/CONFIGURATION.md, "Directory feeds"): the Open Referral UK feeds imported into it and
     * when a service counts as stale.
     */
    directory: z
      .object({
        /** Link-worker endpoint whose FHIR server holds the directory; absent: the workspace's, else the first. */
        endpoint: id.optional(),
        /** A service not verified (by its feed, its provider, a link worker or a manager) for this many days is flagged stale. */
        staleAfterDays: z.number().int().min(1).max(3650).default(365),
        /** A link worker's report that a service closed or changed, not acted on by a manager in this many days, is overdue. */
        reportResponseDays: z.number().int().min(1).max(365).default(7),
        feeds: z
          .array(
            z
              .object({
                id,
                name: z.string().min(1),
                /** The ORUK API's base (it serves `/services` and `/services/{id}`). */
                url: baseUrl,
                /** node-cron expression of scheduled imports (6 fields = with seconds); absent: on demand only. */
                schedule: z.string().refine((s) => validateCron(s), 'expected a node-cron expression, e.g. "0 0 */6 * * *"').optional(),
                /** Import in the background when SP Link starts. */
                importOnStart: z.boolean().default(false),
                perPage: z.number().int().min(1).max(1000).default(100),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    /** The CDS Hooks "remember to refer" service (docs/CDS-HOOKS.md): off, or the rules every practice starts from. */
    cds: z
      .object({
        enabled: z.boolean().default(true),
        rules: cdsRulesSchema.optional(),
      })
      .strict()
      .prefault({}),
    /** Who may read `/metrics` (docs/OPERATIONS.md, "Metrics"). */
    metrics: z
      .object({
        /** Bearer token `/metrics` requires; absent: open to whoever reaches the port. */
        token: secret.optional(),
        /**
         * Serve `/metrics` (with `/healthz` and `/readyz`) on this separate address only, e.g. an admin or
         * monitoring interface; the public port then answers 404 for `/metrics`.
         */
        listen: z.object({ host: z.string().min(1).default('127.0.0.1'), port: z.coerce.number().int().min(0).max(65535) }).strict().optional(),
      })
      .strict()
      .prefault({}),
    admin: z
      .object({
        /** Bearer token for the admin API (dead letters, replay). */
        token: secret,
      })
      .strict(),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        /** auto: readable lines on a terminal, JSON lines otherwise (a file, a pipe, a log collector). */
        format: z.enum(['auto', 'json', 'pretty']).default('auto'),
      })
      .strict()
      .default({ level: 'info', format: 'auto' }),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const lwIds = new Set(cfg.linkWorkerEndpoints.map((e) => e.id));
    cfg.tenants.forEach((t, i) => {
      if (!lwIds.has(t.linkWorkerEndpoint)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', i, 'linkWorkerEndpoint'],
          message: `unknown link-worker endpoint "${t.linkWorkerEndpoint}"; expected one of: ${[...lwIds].join(', ')}`,
        });
      }
    });
    if (cfg.intake && !lwIds.has(cfg.intake.linkWorkerEndpoint)) {
      ctx.addIssue({ code: 'custom', path: ['intake', 'linkWorkerEndpoint'], message: `unknown link-worker endpoint "${cfg.intake.linkWorkerEndpoint}"` });
    }
    cfg.intake?.agencyClients.forEach((c, i, all) => {
      if (all.findIndex((x) => x.clientId === c.clientId) !== i) ctx.addIssue({ code: 'custom', path: ['intake', 'agencyClients', i, 'clientId'], message: `duplicate client id "${c.clientId}"` });
    });
    cfg.intake?.knownAgencies.forEach((a, i, all) => {
      if (all.findIndex((x) => x.id === a.id) !== i) ctx.addIssue({ code: 'custom', path: ['intake', 'knownAgencies', i, 'id'], message: `duplicate agency id "${a.id}"` });
      else if (all.findIndex((x) => x.odsCode === a.odsCode) !== i) ctx.addIssue({ code: 'custom', path: ['intake', 'knownAgencies', i, 'odsCode'], message: `duplicate ODS code "${a.odsCode}": one entry per agency` });
    });
    if (cfg.directory.endpoint && !lwIds.has(cfg.directory.endpoint)) {
      ctx.addIssue({ code: 'custom', path: ['directory', 'endpoint'], message: `unknown link-worker endpoint "${cfg.directory.endpoint}"` });
    }
    cfg.directory.feeds.forEach((f, i, all) => {
      if (all.findIndex((x) => x.id === f.id) !== i) ctx.addIssue({ code: 'custom', path: ['directory', 'feeds', i, 'id'], message: `duplicate id "${f.id}"` });
    });
    if (cfg.workspace && !lwIds.has(cfg.workspace.linkWorkerEndpoint)) {
      ctx.addIssue({
        code: 'custom',
        path: ['workspace', 'linkWorkerEndpoint'],
        message: `unknown link-worker endpoint "${cfg.workspace.linkWorkerEndpoint}"`,
      });
    }
    for (const [key, list] of [
      ['tenants', cfg.tenants],
      ['linkWorkerEndpoints', cfg.linkWorkerEndpoints],
    ] as const) {
      const seen = new Set<string>();
      list.forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `duplicate id "${item.id}"` });
        seen.add(item.id);
      });
    }
    cfg.linkWorkerEndpoints.forEach((e, i) => hostedProblems(e).forEach((issue) => ctx.addIssue({ code: 'custom', path: ['linkWorkerEndpoints', i, ...issue.path], message: issue.message })));
    cfg.linkWorkerEndpoints.forEach((e, i) => unwatchedRoutes(cfg, e).forEach((issue) => ctx.addIssue({ code: 'custom', path: ['linkWorkerEndpoints', i, ...issue.path], message: issue.message })));
    if (cfg.server.cookieMode === 'embedded-cross-site' && !cfg.server.publicUrl.startsWith('https://')) {
      ctx.addIssue({
        code: 'custom',
        path: ['server', 'cookieMode'],
        message: 'embedded-cross-site cookies need Secure, so publicUrl must be https://; use same-site for a local sandbox',
      });
    }
    cfg.tenants.forEach((t, i) => {
      const s = t.smart;
      const path = ['tenants', i, 'smart'];
      const hasKey = Boolean(s.privateKey || s.privateKeyFile);
      if (s.privateKey && s.privateKeyFile) ctx.addIssue({ code: 'custom', path, message: 'set at most one of privateKey or privateKeyFile' });
      if (hasKey && !s.kid) ctx.addIssue({ code: 'custom', path: [...path, 'kid'], message: 'a private key needs its kid (the key id registered with the EHR)' });
      const m = s.tokenEndpointAuthMethod;
      if (m === 'private_key_jwt' && !hasKey) ctx.addIssue({ code: 'custom', path: [...path, 'tokenEndpointAuthMethod'], message: 'private_key_jwt needs privateKey or privateKeyFile, and kid' });
      if ((m === 'client_secret_basic' || m === 'client_secret_post') && !s.clientSecret) {
        ctx.addIssue({ code: 'custom', path: [...path, 'tokenEndpointAuthMethod'], message: `${m} needs clientSecret` });
      }
    });
    if (cfg.sandbox.allowInsecureDeveloperClient && !cfg.sandbox.enabled) {
      ctx.addIssue({ code: 'custom', path: ['sandbox', 'allowInsecureDeveloperClient'], message: 'only allowed when sandbox.enabled is true' });
    }
  });

/**
 * The configuration schema. Its last step completes the link-worker endpoints SP Link hosts (their FHIR base and SP
 * Link's own credential); `shape` holds each section's schema, for parsing one section alone.
 */
export const configSchema = Object.assign(
  configObject.transform(({ linkWorkerEndpoints, ...cfg }) => ({
    ...cfg,
    linkWorkerEndpoints: linkWorkerEndpoints.map((e): LinkWorkerEndpointConfig => {
      const { fhirBase, auth, ...rest } = e;
      if (!e.hosted) return { ...rest, fhirBase: fhirBase!, auth: auth! };
      return { ...rest, fhirBase: hostedFhirBase(cfg.server.publicUrl, e.id), auth: { type: 'hosted', key: hostedSigningKey(cfg.server.sessionSecret, e.id) } };
    }),
  })),
  { shape: configObject.shape },
);

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.infer<typeof configSchema>;

/** The key a hosted record's access tokens are signed with (HMAC-SHA-256, one per endpoint, never configured by hand). */
function hostedSigningKey(sessionSecret: string, endpointId: string): string {
  return createHmac('sha256', sessionSecret).update(`sp-link hosted record access tokens:${endpointId}`).digest('base64url');
}

/** A hosted record takes no FHIR base or credential of its own; any other endpoint needs both, and no backend clients. */
function hostedProblems(e: z.infer<typeof linkWorkerEndpointSchema>): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  if (e.hosted) {
    if (e.fhirBase) out.push({ path: ['fhirBase'], message: `a hosted record is served by SP Link at {publicUrl}/hosted/${e.id}/fhir; remove fhirBase` });
    if (e.auth) out.push({ path: ['auth'], message: 'a hosted record needs no auth: SP Link signs its own tokens; external systems are listed in backendClients' });
    if (e.nextLinkBase) out.push({ path: ['nextLinkBase'], message: 'a hosted record writes its own links; remove nextLinkBase' });
    const seen = new Set<string>();
    e.backendClients.forEach((c, j) => {
      if (seen.has(c.clientId)) out.push({ path: ['backendClients', j, 'clientId'], message: `duplicate client id "${c.clientId}"` });
      seen.add(c.clientId);
    });
    return out;
  }
  if (!e.fhirBase) out.push({ path: ['fhirBase'], message: 'is required (the link-worker system\'s FHIR base), unless SP Link hosts this record (hosted: true)' });
  if (!e.auth) out.push({ path: ['auth'], message: 'is required (SP Link\'s identity at the endpoint), unless SP Link hosts this record (hosted: true)' });
  if (e.backendClients.length > 0) out.push({ path: ['backendClients'], message: 'only a hosted record (hosted: true) has backend clients; register SP Link with the endpoint\'s own server instead' });
  return out;
}

/**
 * Referral routes of one link-worker endpoint that would leave a referral in nobody's caseload: a direct route via
 * the workspace when no SP Link workspace serves this endpoint, via an endpoint that is not configured (or is this
 * one, or names another owner), and providers listed twice or that are the link-worker service itself.
 */
function unwatchedRoutes(
  cfg: { linkWorkerEndpoints: readonly Pick<LinkWorkerEndpointConfig, 'id' | 'organizationOdsCode'>[]; workspace?: Config['workspace'] },
  e: Pick<LinkWorkerEndpointConfig, 'id' | 'name' | 'organizationOdsCode' | 'directReferrals'>,
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  e.directReferrals.forEach((d, j) => {
    const path = ['directReferrals', j];
    if (seen.has(d.organization) || seen.has(`ods:${d.odsCode}`)) out.push({ path, message: `${d.name} (${d.organization}, ODS ${d.odsCode}) is listed twice` });
    seen.add(d.organization);
    seen.add(`ods:${d.odsCode}`);
    if (e.organizationOdsCode && d.odsCode === e.organizationOdsCode) {
      out.push({ path: [...path, 'odsCode'], message: `${d.odsCode} is ${e.name} itself, which receives every referral that is not direct; remove this entry` });
    }
    if (d.via === 'workspace') {
      const ws = cfg.workspace;
      if (!ws?.enabled || ws.linkWorkerEndpoint !== e.id) {
        out.push({
          path: [...path, 'via'],
          message: `nobody would see referrals to ${d.name}: no SP Link workspace serves endpoint "${e.id}" (workspace.linkWorkerEndpoint is ${ws?.enabled ? `"${ws.linkWorkerEndpoint}"` : 'not enabled'}); enable the workspace for "${e.id}", or use via: endpoint with the provider's own FHIR endpoint`,
        });
      }
      return;
    }
    const target = cfg.linkWorkerEndpoints.find((x) => x.id === d.endpoint);
    if (!target) {
      out.push({ path: [...path, 'endpoint'], message: `nobody would see referrals to ${d.name}: unknown link-worker endpoint "${d.endpoint}"; add the provider's FHIR server to linkWorkerEndpoints (the reconciler watches every one)` });
    } else if (target.id === e.id) {
      out.push({ path: [...path, 'endpoint'], message: `via: endpoint must name the provider's own endpoint, not "${e.id}"; for a provider whose staff use the workspace here, use via: workspace` });
    } else if (target.organizationOdsCode && target.organizationOdsCode !== d.odsCode) {
      out.push({ path: [...path, 'odsCode'], message: `endpoint "${target.id}" accepts only Tasks owned by ODS ${target.organizationOdsCode}, so a Task for ${d.name} (ODS ${d.odsCode}) would be refused there; make the codes agree` });
    }
  });
  return out;
}
