import { NEEDS, type NeedCode, type SocialOutcomeCode } from '../../referral-model/codes.js';
import type { Db } from '../../store/db.js';
import { countFacts, countOnwardFacts, saveFacts, saveOnwardFacts } from '../../reports/report-store.js';
import type { OnwardFact } from '../../reports/onward-fact.js';
import { ONWARD_DECLINE_REASONS, ONWARD_WITHDRAW_REASONS, onwardProgress, type OnwardState } from '../../referral-model/onward-referral.js';
import { AGE_BANDS, type EqualityFields, type EthnicCategory } from '../../reports/equality.js';
import { referralKey, type OutcomePair, type Reach, type ReferralFact, type ReferralSource } from '../../reports/referral-fact.js';
import { DEMO_COMMUNITY_SERVICES } from './services.js';
import { ODS } from './constants.js';
import { seeded } from './seeded-random.js';
import { gpDemandDueOn } from '../../reports/gp-demand.js';
import { saveGpDemand, type GpDemandResult } from '../../reports/gp-demand-store.js';
import { londonDate } from '../../time/london.js';

/**
 * A year of referral history for the sandbox's reports, generated (deterministic for a given day and count):
 * six fictional practices in two PCNs, two link-worker services, the needs, sources, urgencies and outcomes
 * a service sees, equality fields distributed like a mixed English town, and data missing where it usually is
 * (no ethnicity recorded, no end measures, postcodes outside the lookup).
 */

export const DEMO_PRACTICES = [
  { ods: ODS.gpPractice, name: 'Riverside Medical Practice', pcn: 'Fernbridge Central PCN', weight: 5 },
  { ods: 'Y99902', name: 'Canal Street Surgery', pcn: 'Fernbridge Central PCN', weight: 4 },
  { ods: 'Y99903', name: 'Fernbridge Health Centre', pcn: 'Fernbridge Central PCN', weight: 6 },
  { ods: 'Y99904', name: 'Oakfield Surgery', pcn: 'Vale North PCN', weight: 3 },
  { ods: 'Y99905', name: 'Hill Top Medical Centre', pcn: 'Vale North PCN', weight: 2 },
  { ods: 'Y99906', name: 'Westshire Family Practice', pcn: 'Vale North PCN', weight: 1 },
] as const;

/** The link-worker services, by the stable key the report store keeps them by (an endpoint id) and their name. */
export const DEMO_SERVICES = [
  { key: 'demo-link-workers', name: 'Fernbridge Community Connect' },
  { key: 'demo-carers', name: 'Westshire Carers link service' },
] as const;

/** How often support for a need ends with a social outcome (a completed referral), roughly as services report them. */
const SOCIAL_OUTCOME_ODDS: readonly (readonly [NeedCode, SocialOutcomeCode, number])[] = [
  ['housing', 'housing-secured', 0.45], ['debt-money', 'debt-advice', 0.7], ['debt-money', 'fuel-support', 0.2],
  ['welfare-benefits', 'benefits-claimed', 0.55], ['food-insecurity', 'food-support', 0.7], ['employment', 'employment', 0.25],
  ['employment', 'volunteering', 0.2], ['loneliness', 'group-attending', 0.5], ['social-isolation', 'group-attending', 0.45],
  ['physical-activity', 'physically-active', 0.5], ['carer-strain', 'carer-support', 0.6], ['digital-exclusion', 'digital-skills', 0.5],
  ['legal-advice', 'legal-advice', 0.5],
];

export function demoReportHistory(opts: { now: Date; count?: number; seed?: number }): ReferralFact[] {
  const rnd = seeded(opts.seed ?? 20_240_401);
  // Social outcomes draw from their own sequence, so the rest of the history is the same with or without them.
  const rndSocial = seeded((opts.seed ?? 20_240_401) ^ 0x50c1a1);
  const count = opts.count ?? 2400;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const weighted = <T>(xs: readonly (readonly [T, number])[]): T => {
    const total = xs.reduce((s, [, w]) => s + w, 0);
    let r = rnd() * total;
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1]![0];
  };
  const normal = (mean: number, sd: number) => mean + sd * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));
  const daysAfter = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();
  const logNormalDays = (median: number, spread: number) => Math.max(0, Math.round(median * Math.exp(normal(0, spread))));
  const now = opts.now.getTime();
  const practiceWeights = DEMO_PRACTICES.map((p) => [p, p.weight] as const);
  const needWeights = NEEDS.filter((n) => n.code !== 'other').map((n, i) => [n.code as string, i < 7 ? 6 - i * 0.5 : 1] as const);
  const ethnicity: (readonly [EthnicCategory | undefined, number])[] = [
    ['A', 62], ['B', 2], ['C', 7], ['D', 1], ['E', 1], ['F', 1], ['G', 1], ['H', 3], ['J', 4], ['K', 3], ['L', 1],
    ['M', 2], ['N', 3], ['P', 1], ['R', 1], ['S', 1], ['Z', 3], [undefined, 8],
  ];
  const out: ReferralFact[] = [];
  for (let i = 0; i < count; i++) {
    const practice = weighted(practiceWeights);
    const referredAt = new Date(now - Math.floor(rnd() * 365 * 86_400_000)).toISOString();
    const ageDays = (now - Date.parse(referredAt)) / 86_400_000;
    const decile = rnd() < 0.07 ? undefined : clamp(normal(practice.pcn === 'Vale North PCN' ? 6.5 : 3.5, 2.2), 1, 10);
    const band = weighted(AGE_BANDS.map((b, k) => [b, [1, 6, 10, 11, 12, 13, 12, 9, 5][k]!] as const));
    const equality: EqualityFields = { sex: weighted([['female', 58], ['male', 40], ['other', 1], ['unknown', 1]] as const), ageBand: band };
    const eth = weighted(ethnicity);
    if (eth) equality.ethnicity = eth;
    const dis = weighted([['yes', 22], ['no', 60], ['prefer-not-to-say', 5], [undefined, 13]] as const);
    if (dis) equality.disability = dis;
    const foreign = ['H', 'J', 'K', 'L', 'N', 'C', 'R'].includes(eth ?? '') && rnd() < 0.35;
    equality.firstLanguage = foreign ? pick(['pl', 'ur', 'bn', 'pa', 'so', 'pt', 'ro', 'ar']) : 'en';
    equality.interpreter = foreign && rnd() < 0.5;
    if (decile) equality.imdDecile = decile;
    const needs = [...new Set([weighted(needWeights), ...(rnd() < 0.45 ? [weighted(needWeights)] : []), ...(rnd() < 0.15 ? [weighted(needWeights)] : [])])];
    const source: ReferralSource = weighted([['gp-practice', 78], ['self-referral', 12], ['other-organisation', 8], ['other', 2]] as const);
    const urgency = weighted([['routine', 74], ['soon', 21], ['urgent', 5]] as const);
    // How far it got: recent referrals are still waiting or in support.
    const settled = ageDays > 90 || (ageDays > 14 && rnd() < ageDays / 90);
    let reach: Reach;
    if (ageDays < 5 && rnd() < 0.6) reach = 'waiting';
    else if (!settled) reach = rnd() < 0.85 ? 'in-support' : weighted([['declined', 1], ['could-not-contact', 1]] as const);
    else reach = weighted([['completed', 58], ['declined', 9], ['could-not-contact', 11], ['did-not-engage', 9], ['cancelled', 2], ['in-support', 10], ['withdrawn', 1]] as const);
    const fact: ReferralFact = {
      key: referralKey('demo-history', `r${i}`),
      practice: practice.ods, practiceName: practice.name, pcn: practice.pcn,
      ...((s) => ({ service: s.key, serviceName: s.name }))(needs.includes('carer-strain') && rnd() < 0.6 ? DEMO_SERVICES[1] : DEMO_SERVICES[0]),
      source, urgency, needs, referredAt, status: '', reach, sessions: 0, servicesConnected: [], socialOutcomes: [], equality, outcomes: [],
    };
    const urgent = urgency === 'urgent' ? 0.3 : urgency === 'soon' ? 0.6 : 1;
    const contacted = ['in-support', 'completed', 'did-not-engage'].includes(reach);
    if (reach !== 'waiting' && reach !== 'declined' && reach !== 'withdrawn') fact.acceptedAt = daysAfter(referredAt, Math.min(ageDays, logNormalDays(2 * urgent, 0.7)));
    if (contacted) {
      const contact = Math.min(ageDays, logNormalDays(4 * urgent, 0.8));
      fact.firstContactAt = daysAfter(referredAt, contact);
      if (reach !== 'did-not-engage' || rnd() < 0.4) {
        const session = Math.min(ageDays, contact + logNormalDays(6, 0.6));
        fact.firstSessionAt = daysAfter(referredAt, session);
        fact.sessions = reach === 'completed' ? clamp(normal(5, 2), 1, 12) : clamp(normal(2, 1.2), 1, 6);
      }
    }
    const closeAfter = Math.min(ageDays, reach === 'completed' ? clamp(normal(84, 25), 21, 200) : clamp(normal(20, 8), 1, 60));
    if (!['waiting', 'in-support'].includes(reach)) fact.closedAt = daysAfter(referredAt, closeAfter);
    fact.status = { waiting: 'requested', 'in-support': 'in-progress', completed: 'completed', declined: 'rejected', 'could-not-contact': 'failed', 'did-not-engage': 'cancelled', cancelled: 'cancelled', withdrawn: 'entered-in-error' }[reach];
    if (reach === 'declined') fact.endReason = weighted([['service-at-capacity', 3], ['not-eligible', 4], ['needs-beyond-scope', 3], ['referred-elsewhere', 3], ['patient-declined', 2]] as const);
    if (reach === 'could-not-contact') fact.endReason = 'could-not-contact';
    if (reach === 'did-not-engage') fact.endReason = weighted([['patient-withdrew', 3], ['patient-declined', 2], ['patient-moved', 1]] as const);
    if (reach === 'cancelled') fact.endReason = weighted([['gp-cancelled', 3], ['duplicate-referral', 1]] as const);
    if (reach === 'completed' || (reach === 'in-support' && rnd() < 0.5)) {
      const n = reach === 'completed' ? weighted([[0, 1], [1, 4], [2, 3], [3, 1]] as const) : 1;
      fact.servicesConnected = [...new Set(Array.from({ length: n }, () => pick(DEMO_COMMUNITY_SERVICES)))];
    }
    if (fact.firstSessionAt) fact.outcomes = outcomes(fact, reach === 'completed' && rnd() < 0.74);
    if (reach === 'completed') {
      const got = SOCIAL_OUTCOME_ODDS.filter(([need, , p]) => needs.includes(need) && rndSocial() < p).map(([, code]) => code);
      if (fact.servicesConnected.length > 0 && rndSocial() < 0.3) got.push('group-attending');
      fact.socialOutcomes = [...new Set(got)];
    }
    out.push(fact);
  }
  return out;

  function outcomes(f: ReferralFact, paired: boolean): OutcomePair[] {
    const at = f.firstSessionAt!;
    const end = f.closedAt ?? daysAfter(at, 60);
    // Change is smaller in the most deprived areas and larger for those who had more sessions: the inequality
    // and dose the reports are there to show.
    const deprivation = f.equality.imdDecile !== undefined && f.equality.imdDecile <= 2 ? -1 : 0;
    const dose = Math.min(2, f.sessions / 4);
    const res: OutcomePair[] = [];
    const measure = (key: string, before: number, change: number, lo: number, hi: number) => {
      const b = clamp(before, lo, hi);
      res.push(paired ? { measure: key, before: b, beforeAt: at, after: clamp(b + change, lo, hi), afterAt: end } : { measure: key, before: b, beforeAt: at });
    };
    if (rnd() < 0.92) measure('swemwbs', normal(19.5, 4), normal(2.2 + deprivation + dose, 3.4), 7, 35);
    if (f.needs.some((n) => n === 'loneliness' || n === 'social-isolation') && rnd() < 0.8) measure('ucla3', normal(7, 1.4), normal(-1 - dose / 2, 1.4), 3, 9);
    if (rnd() < 0.35) {
      measure('ons4:ons4-life-satisfaction', normal(4.8, 2), normal(1.1 + deprivation / 2, 1.8), 0, 10);
      measure('ons4:ons4-worthwhile', normal(5.4, 2), normal(0.9, 1.8), 0, 10);
      measure('ons4:ons4-happiness', normal(4.9, 2.2), normal(1, 2), 0, 10);
      measure('ons4:ons4-anxiety', normal(6, 2.3), normal(-1.2, 2.2), 0, 10);
    }
    return res;
  }
}

/**
 * GP appointments before and after referral for the history's referrals whose 6 months after have passed (about half
 * of a year's), from their own seeded sequence: a few people missing (died or left the practice), older people and
 * those with a long-term condition seen more often, and somewhat fewer appointments after for most, more so for those
 * who completed support (the fall the report shows, with its caveats).
 */
export function demoGpDemand(facts: readonly ReferralFact[], now: Date, seed = 20_240_401): GpDemandResult[] {
  const rnd = seeded(seed ^ 0x6d_de_3a);
  const today = londonDate(now);
  const poisson = (mean: number) => {
    const l = Math.exp(-mean);
    let k = 0;
    for (let p = rnd(); p > l; p *= rnd()) k++;
    return k;
  };
  const out: GpDemandResult[] = [];
  for (const f of facts) {
    if (gpDemandDueOn(londonDate(new Date(f.referredAt))) > today) continue;
    const r = rnd();
    if (r < 0.02) { out.push({ referralKey: f.key, count: { kind: 'missing', reason: 'died' } }); continue; }
    if (r < 0.08) { out.push({ referralKey: f.key, count: { kind: 'missing', reason: 'left-practice' } }); continue; }
    const older = ['65-74', '75-84', '85+'].includes(f.equality.ageBand ?? '') ? 2 : 0;
    const condition = f.needs.includes('long-term-condition') ? 2 : 0;
    const before = poisson(4.5 + older + condition);
    const fall = f.reach === 'completed' ? 0.78 : 0.92;
    out.push({ referralKey: f.key, count: { kind: 'counted', before, after: poisson(Math.max(0.2, before * fall + 0.4)) } });
  }
  return out;
}

/**
 * The onward referrals of a demo history (deterministic for a given history and seed): one to each service a referral
 * connected the person to (attended, finished, or for some not attended; those in support also accepted or waiting),
 * and for some referrals one more that the group declined or the link worker withdrew, with the reason.
 */
export function demoOnwardHistory(facts: readonly ReferralFact[], seed = 20_240_402): OnwardFact[] {
  const rnd = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const daysAfter = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();
  const out: OnwardFact[] = [];
  facts.forEach((f, i) => {
    if (f.reach !== 'completed' && f.reach !== 'in-support') return;
    const sentAt = daysAfter(f.firstSessionAt ?? f.acceptedAt ?? f.referredAt, Math.floor(rnd() * 14));
    const one = (n: number, service: string, state: OnwardState, reason?: string) => out.push({
      key: referralKey('demo-history', `r${i}-onward-${n}`), referralKey: f.key, communityService: service, state, progress: onwardProgress(state),
      ...(reason ? { reason } : {}), sentAt, ...(state !== 'sent' ? { answeredAt: daysAfter(sentAt, 1 + Math.floor(rnd() * 10)) } : {}),
      ...(state === 'finished' ? { sessions: 2 + Math.floor(rnd() * 8) } : {}),
    });
    f.servicesConnected.forEach((service, n) => {
      const r = rnd();
      const state: OnwardState = f.reach === 'completed' ? (r < 0.55 ? 'finished' : r < 0.88 ? 'attended' : 'did-not-attend') : (r < 0.45 ? 'attended' : r < 0.8 ? 'accepted' : 'sent');
      one(n, service, state);
    });
    if (rnd() < 0.2) {
      const declined = rnd() < 0.55;
      one(f.servicesConnected.length, pick(DEMO_COMMUNITY_SERVICES.filter((x) => !f.servicesConnected.includes(x))), declined ? 'declined' : 'withdrawn', pick(declined ? ONWARD_DECLINE_REASONS : ONWARD_WITHDRAW_REASONS).code);
    }
  });
  return out;
}

/**
 * Seeds the demo history into the report store once (when it holds none): one bulk statement per table, so
 * it takes a fraction of a second and runs alongside the rest of start-up. Its onward referrals likewise (a store
 * seeded before they were kept gets them on the next start).
 */
export async function seedReportHistory(db: Db, now = new Date()): Promise<number> {
  let facts: ReferralFact[] | undefined;
  let count = 0;
  if ((await countFacts(db, 'demo')) === 0) {
    facts = demoReportHistory({ now });
    await saveFacts(db, facts, 'demo');
    await saveGpDemand(db, demoGpDemand(facts, now));
    count = facts.length;
  }
  // The keys of the demo history do not depend on the day, so onward referrals regenerated later still meet their referrals.
  if ((await countOnwardFacts(db, 'demo')) === 0) await saveOnwardFacts(db, demoOnwardHistory(facts ?? demoReportHistory({ now })), 'demo');
  return count;
}
