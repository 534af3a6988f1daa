import type { HealthcareService, HealthcareServiceAvailableTime } from '@medplum/fhirtypes';
import {
  CODE_SYSTEM,
  displayOf,
  EXTENSION,
  EXTENSION_PART,
  type NeedCode,
  type ServiceTypeCode,
} from '../../referral-model/codes.js';
import { verificationExtension, type Verifier } from '../../directory/verification.js';
import { DEMO_IDS, FHIR_SYSTEM } from './constants.js';
import { LINK_WORKER_ORG, PROVIDERS, VENUES, type ProviderId, type VenueId } from './link-workers.js';

type Day = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
type ReferralMethod = 'phone' | 'elec' | 'semail' | 'mail';

interface ServiceRow {
  readonly id: string;
  readonly name: string;
  readonly provider: ProviderId | 'lw';
  readonly type: ServiceTypeCode;
  /** Text shown for the type where the SP Link code is broader (e.g. community transport). */
  readonly typeText?: string;
  readonly needs: readonly NeedCode[];
  readonly venue?: VenueId;
  readonly about: string;
  readonly eligibility: string;
  readonly methods: readonly ReferralMethod[];
  readonly appointment: boolean;
  readonly hours: readonly { days: readonly Day[]; start?: string; end?: string }[];
  readonly accepting: boolean;
  readonly waitDays?: number;
}

const WEEKDAYS: readonly Day[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

const ROWS: readonly ServiceRow[] = [
  { id: DEMO_IDS.linkWorkerService, name: 'Social prescribing link workers', provider: 'lw', type: 'link-worker', needs: ['loneliness', 'debt-money', 'housing', 'mental-wellbeing', 'carer-strain', 'other'], venue: 'loc-community-centre', about: 'Up to six sessions with a link worker to talk about what matters to you and connect you with local support.', eligibility: 'Adults 18+ registered with a Fernbridge GP practice', methods: ['elec', 'phone'], appointment: true, hours: [{ days: WEEKDAYS, start: '09:00:00', end: '17:00:00' }], accepting: true, waitDays: 7 },
  { id: 'svc-befriending', name: 'Good Neighbours befriending', provider: 'org-good-neighbours', type: 'befriending', needs: ['loneliness', 'social-isolation'], about: 'A trained volunteer visits or phones once a week for a chat.', eligibility: 'Adults 60+ living alone or feeling isolated', methods: ['phone', 'elec'], appointment: false, hours: [{ days: WEEKDAYS, start: '10:00:00', end: '16:00:00' }], accepting: true, waitDays: 21 },
  { id: 'svc-debt-advice', name: 'Money and debt advice', provider: 'org-fernbridge-advice', type: 'debt-advice', needs: ['debt-money'], venue: 'loc-advice-centre', about: 'Free, confidential debt advice: budgeting, priority debts, energy arrears and repayment plans.', eligibility: 'Anyone living in Fernbridge and the Vale', methods: ['phone', 'elec', 'semail'], appointment: true, hours: [{ days: ['mon', 'wed', 'fri'], start: '09:30:00', end: '15:30:00' }], accepting: true, waitDays: 10 },
  { id: 'svc-welfare-benefits', name: 'Welfare rights and benefits checks', provider: 'org-fernbridge-advice', type: 'benefits-advice', needs: ['welfare-benefits', 'debt-money'], venue: 'loc-advice-centre', about: 'Benefit entitlement checks, help with forms, mandatory reconsiderations and appeals.', eligibility: 'Adults in Fernbridge and the Vale', methods: ['phone', 'elec'], appointment: true, hours: [{ days: ['tue', 'thu'], start: '09:30:00', end: '16:00:00' }], accepting: true, waitDays: 14 },
  { id: 'svc-housing', name: 'Housing advice drop-in', provider: 'org-vale-housing', type: 'housing-advice', needs: ['housing'], venue: 'loc-advice-centre', about: 'Advice on disrepair, rent arrears, eviction and homelessness applications.', eligibility: 'Tenants and people at risk of homelessness in Westshire', methods: ['phone', 'elec'], appointment: false, hours: [{ days: ['tue'], start: '10:00:00', end: '13:00:00' }, { days: ['thu'], start: '14:00:00', end: '17:00:00' }], accepting: true, waitDays: 3 },
  { id: 'svc-food-bank', name: 'Vale Food Bank', provider: 'org-vale-foodbank', type: 'food-support', needs: ['food-insecurity'], venue: 'loc-community-centre', about: 'Three days of emergency food, plus signposting to advice on the causes of crisis.', eligibility: 'People in crisis with a referral voucher', methods: ['elec', 'phone'], appointment: false, hours: [{ days: ['mon', 'thu'], start: '12:00:00', end: '15:00:00' }, { days: ['sat'], start: '10:00:00', end: '12:00:00' }], accepting: true, waitDays: 0 },
  { id: 'svc-walking', name: 'Healthy Steps walking group', provider: 'org-fernbridge-leisure', type: 'physical-activity', needs: ['physical-activity', 'social-isolation', 'long-term-condition'], venue: 'loc-leisure-centre', about: 'Gentle 45-minute led walks along the canal, finishing with tea.', eligibility: 'Adults able to walk for 30 minutes unaided', methods: ['phone', 'elec'], appointment: false, hours: [{ days: ['tue', 'fri'], start: '10:30:00', end: '11:30:00' }], accepting: true, waitDays: 0 },
  { id: 'svc-exercise-referral', name: 'Exercise on referral', provider: 'org-fernbridge-leisure', type: 'physical-activity', needs: ['physical-activity', 'healthy-lifestyle', 'long-term-condition'], venue: 'loc-leisure-centre', about: 'A 12-week supervised gym and swim programme at a reduced price.', eligibility: 'Adults 18+ with a long-term condition or BMI over 30', methods: ['elec'], appointment: true, hours: [{ days: WEEKDAYS, start: '08:00:00', end: '20:00:00' }], accepting: false, waitDays: 42 },
  { id: 'svc-arts', name: 'Arts on prescription', provider: 'org-open-studio', type: 'arts-culture', needs: ['mental-wellbeing', 'social-isolation'], venue: 'loc-community-centre', about: 'A ten-week painting, print and collage course for people with low mood or anxiety.', eligibility: 'Adults 18+ with mild to moderate low mood or anxiety', methods: ['elec', 'phone'], appointment: true, hours: [{ days: ['wed'], start: '13:30:00', end: '15:30:00' }], accepting: true, waitDays: 28 },
  { id: 'svc-carers', name: 'Carers support and breaks', provider: 'org-westshire-carers', type: 'carer-support', needs: ['carer-strain'], about: 'Carers assessments, a carers card, peer support groups and short breaks.', eligibility: 'Unpaid carers of any age looking after someone in Westshire', methods: ['phone', 'elec', 'semail'], appointment: false, hours: [{ days: WEEKDAYS, start: '09:00:00', end: '17:00:00' }], accepting: true, waitDays: 5 },
  { id: 'svc-wellbeing', name: 'Calm Waters wellbeing hub', provider: 'org-calm-waters', type: 'wellbeing-support', needs: ['mental-wellbeing'], venue: 'loc-community-centre', about: 'Drop-in wellbeing cafe, six-week stress control course and peer support.', eligibility: 'Adults 18+; not a crisis service', methods: ['phone', 'elec'], appointment: false, hours: [{ days: ['mon', 'wed'], start: '17:00:00', end: '20:00:00' }, { days: ['sat'], start: '10:00:00', end: '13:00:00' }], accepting: true, waitDays: 7 },
  { id: 'svc-employment', name: 'Next Step employment support', provider: 'org-fernbridge-advice', type: 'employment-support', needs: ['employment'], venue: 'loc-library', about: 'One-to-one job coaching, CV help, volunteering placements and training courses.', eligibility: 'Adults 18–66 out of work or wanting to change job', methods: ['elec', 'phone'], appointment: true, hours: [{ days: ['tue', 'wed', 'thu'], start: '09:30:00', end: '16:30:00' }], accepting: true, waitDays: 14 },
  { id: 'svc-digital', name: 'Get Online Fernbridge', provider: 'org-westshire-library', type: 'digital-inclusion', needs: ['digital-exclusion'], venue: 'loc-library', about: 'Free tablet loans, data SIMs and weekly help sessions: email, video calls, NHS App.', eligibility: 'Anyone without the skills or kit to get online', methods: ['phone', 'elec'], appointment: false, hours: [{ days: ['mon', 'fri'], start: '10:00:00', end: '12:00:00' }], accepting: true, waitDays: 7 },
  { id: 'svc-bereavement', name: 'Forget-me-not bereavement support', provider: 'org-calm-waters', type: 'bereavement-support', needs: ['bereavement'], about: 'One-to-one bereavement listening and a monthly group.', eligibility: 'Adults bereaved more than six weeks ago', methods: ['phone', 'elec'], appointment: true, hours: [{ days: ['thu'], start: '10:00:00', end: '16:00:00' }], accepting: true, waitDays: 35 },
  { id: 'svc-gardening', name: 'Green Roots therapeutic gardening', provider: 'org-green-roots', type: 'green-activity', needs: ['mental-wellbeing', 'physical-activity', 'social-isolation'], venue: 'loc-allotments', about: 'Grow food and flowers together on a shared allotment; tools and tea provided.', eligibility: 'Adults 18+; wheelchair-accessible raised beds', methods: ['phone', 'elec'], appointment: false, hours: [{ days: ['wed', 'sat'], start: '10:00:00', end: '13:00:00' }], accepting: true, waitDays: 0 },
  { id: 'svc-mens-shed', name: "Fernbridge Men's Shed", provider: 'org-good-neighbours', type: 'community-group', needs: ['loneliness', 'social-isolation', 'mental-wellbeing'], venue: 'loc-allotments', about: 'Woodwork, repairs and conversation in a friendly workshop. Open to all genders.', eligibility: 'Adults 18+', methods: ['phone'], appointment: false, hours: [{ days: ['tue', 'thu'], start: '09:30:00', end: '14:00:00' }], accepting: true, waitDays: 0 },
  { id: 'svc-community-transport', name: 'Dial-a-Ride community transport', provider: 'org-good-neighbours', type: 'community-group', typeText: 'Community transport', needs: ['transport', 'social-isolation'], about: 'Door-to-door minibus for shopping, appointments and social groups; book two days ahead.', eligibility: 'People who cannot use public transport because of age, disability or location', methods: ['phone'], appointment: true, hours: [{ days: WEEKDAYS, start: '08:30:00', end: '16:30:00' }], accepting: true, waitDays: 2 },
  { id: 'svc-cooking', name: 'Cook and Eat Together', provider: 'org-vale-foodbank', type: 'community-group', typeText: 'Community cooking course', needs: ['healthy-lifestyle', 'food-insecurity', 'social-isolation'], venue: 'loc-community-centre', about: 'Six-week course cooking cheap, healthy meals, then eating together.', eligibility: 'Adults 18+; dietary needs catered for', methods: ['phone', 'elec'], appointment: true, hours: [{ days: ['fri'], start: '11:00:00', end: '13:30:00' }], accepting: false, waitDays: 49 },
];

/**
 * Who last checked each service's details and how many days before the directory's date (src/directory/verification.ts).
 * Most were checked lately, so `npm start` does not show the whole directory stale; a few were never checked or not for
 * over a year (`directory.staleAfterDays`, 365 by default), on purpose, so the manager's "Directory to check" has work.
 */
const CHECKS: Readonly<Record<string, { readonly daysAgo: number; readonly by: Verifier; readonly who?: string }>> = {
  [DEMO_IDS.linkWorkerService]: { daysAgo: 12, by: 'manager', who: 'Nina Kaur' },
  'svc-befriending': { daysAgo: 40, by: 'provider', who: 'Good Neighbours Fernbridge' },
  'svc-debt-advice': { daysAgo: 65, by: 'feed', who: 'Westshire Community Directory' },
  'svc-welfare-benefits': { daysAgo: 65, by: 'feed', who: 'Westshire Community Directory' },
  'svc-housing': { daysAgo: 120, by: 'link-worker', who: 'Sarah Whitfield' },
  'svc-food-bank': { daysAgo: 9, by: 'provider', who: 'Vale Food Bank' },
  'svc-exercise-referral': { daysAgo: 30, by: 'provider', who: 'Gail Hughes' },
  'svc-carers': { daysAgo: 200, by: 'feed', who: 'Westshire Community Directory' },
  'svc-wellbeing': { daysAgo: 21, by: 'manager', who: 'Nina Kaur' },
  'svc-employment': { daysAgo: 90, by: 'feed', who: 'Westshire Community Directory' },
  'svc-digital': { daysAgo: 14, by: 'provider', who: 'Westshire Libraries' },
  'svc-bereavement': { daysAgo: 150, by: 'link-worker', who: 'Sarah Whitfield' },
  'svc-gardening': { daysAgo: 45, by: 'provider', who: 'Green Roots Community Garden' },
  'svc-mens-shed': { daysAgo: 75, by: 'manager', who: 'Nina Kaur' },
  'svc-community-transport': { daysAgo: 33, by: 'provider', who: 'Good Neighbours Fernbridge' },
  // Stale on purpose: the walking group and the arts course were never checked, the cooking course not for 14 months.
  'svc-cooking': { daysAgo: 420, by: 'feed', who: 'Westshire Community Directory' },
};

export const DEMO_SERVICE_IDS: readonly string[] = ROWS.map((r) => r.id);
/** Names of the community services (not the link workers themselves): what people are connected to. */
export const DEMO_COMMUNITY_SERVICES: readonly string[] = ROWS.filter((r) => r.type !== 'link-worker').map((r) => r.name);

/** The directory as of `asOf`, all on the link-worker server. */
export function serviceResources(asOf: string): HealthcareService[] {
  return ROWS.map((row, i) => {
    const providerName = row.provider === 'lw' ? LINK_WORKER_ORG.name : PROVIDERS[row.provider];
    const providerId = row.provider === 'lw' ? DEMO_IDS.linkWorkerOrg : row.provider;
    const part = EXTENSION_PART.serviceCapacity;
    const availableTime: HealthcareServiceAvailableTime[] = row.hours.map((h) => ({
      daysOfWeek: [...h.days],
      ...(h.start ? { availableStartTime: h.start, availableEndTime: h.end } : { allDay: true }),
    }));
    return {
      resourceType: 'HealthcareService',
      id: row.id,
      active: true,
      providedBy: { reference: `Organization/${providerId}`, display: providerName },
      category: row.needs.map((need) => ({ coding: [{ system: CODE_SYSTEM.need, code: need, display: displayOf('need', need) }] })),
      type: [{ coding: [{ system: CODE_SYSTEM.serviceType, code: row.type, display: displayOf('serviceType', row.type) }], ...(row.typeText ? { text: row.typeText } : {}) }],
      name: row.name,
      comment: row.about,
      extraDetails: `${row.about}\n\nEligibility: ${row.eligibility}.`,
      coverageArea: [{ reference: `Location/${DEMO_IDS.area}` }],
      ...(row.venue ? { location: [{ reference: `Location/${row.venue}`, display: VENUES[row.venue].name }] } : {}),
      telecom: [
        { system: 'phone', value: `01632 9607${String(i + 10)}`, use: 'work' },
        { system: 'email', value: `${row.id.replace(/^svc-/, '')}@services.example.org`, use: 'work' },
        { system: 'url', value: `https://services.example.org/fernbridge/${row.id.replace(/^svc-/, '')}`, use: 'work' },
      ],
      eligibility: [{ code: { text: row.eligibility }, comment: row.eligibility }],
      referralMethod: row.methods.map((code) => ({ coding: [{ system: FHIR_SYSTEM.referralMethod, code }] })),
      appointmentRequired: row.appointment,
      availableTime,
      availabilityExceptions: 'Closed on bank holidays',
      extension: [
        {
          url: EXTENSION.serviceCapacity,
          extension: [
            { url: part.acceptingReferrals, valueBoolean: row.accepting },
            ...(row.waitDays === undefined ? [] : [{ url: part.waitDays, valueInteger: row.waitDays }]),
            { url: part.asOf, valueDateTime: asOf },
          ],
        },
        ...(CHECKS[row.id] ? [verificationExtension({ date: new Date(Date.parse(asOf) - CHECKS[row.id]!.daysAgo * 86_400_000).toISOString(), by: CHECKS[row.id]!.by, ...(CHECKS[row.id]!.who ? { who: CHECKS[row.id]!.who } : {}) })] : []),
      ],
    };
  });
}
