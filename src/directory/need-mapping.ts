import type { NeedCode, ServiceTypeCode } from '../referral-model/codes.js';

/**
 * From a directory's own classification to SP Link's needs and service types. Open Referral UK publishers classify
 * services with taxonomies of their choosing (the LGA's needs and circumstances lists, their own categories), so the
 * match is on the words of each term, not on one taxonomy's ids: a term "Debt advice" or "Money worries" means the
 * need debt-money whichever list it comes from. The original codings are kept on the service alongside.
 */
const NEED_WORDS: readonly (readonly [NeedCode, RegExp])[] = [
  ['loneliness', /\blonel/i],
  ['social-isolation', /\bisolat|\bsocial (group|activit|contact)|befriend|lunch club|coffee morning/i],
  ['debt-money', /\bdebt|\bmoney|budget|financ|\bbills?\b|energy arrears/i],
  ['welfare-benefits', /\bbenefit|universal credit|welfare rights|\bpip\b/i],
  ['housing', /\bhousing|homeless|tenan|\brent\b|eviction/i],
  ['food-insecurity', /\bfood|\bhunger|\bpantry|\bmeals?\b/i],
  ['mental-wellbeing', /mental|wellbeing|well-being|\bmood|anxiety|depress|\bstress|counsell/i],
  ['physical-activity', /physical activit|exercise|\bsport|\bwalk|\bgym|\bswim|dance|fitness/i],
  ['healthy-lifestyle', /healthy|\bweight|smok|alcohol|\bdiet|nutrition|cook/i],
  ['carer-strain', /\bcarers?\b|caring for/i],
  ['employment', /employ|\bjobs?\b|training|volunteer|\bskills\b|\bcareers?\b/i],
  ['bereavement', /bereave|\bgrief|\bloss\b/i],
  ['digital-exclusion', /digital|online|internet|computer|get online/i],
  ['long-term-condition', /long[- ]term condition|chronic|diabet|\bpain\b|disabilit|dementia|stroke/i],
  ['relationships', /relationship|family support|parenting|domestic abuse/i],
  ['transport', /transport|dial-a-ride|\btravel|\bbus\b/i],
  ['legal-advice', /\blegal|immigration|asylum|\blaw\b|solicitor/i],
];

const TYPE_WORDS: readonly (readonly [ServiceTypeCode, RegExp])[] = [
  ['befriending', /befriend/i],
  ['debt-advice', /\bdebt|money advice/i],
  ['benefits-advice', /\bbenefit|welfare rights/i],
  ['housing-advice', /\bhousing|homeless/i],
  ['food-support', /food bank|\bfood|\bpantry/i],
  ['carer-support', /\bcarers?\b/i],
  ['employment-support', /employ|\bjobs?\b|volunteer/i],
  ['bereavement-support', /bereave|\bgrief/i],
  ['digital-inclusion', /digital|get online|computer/i],
  ['green-activity', /garden|allotment|nature|green/i],
  ['arts-culture', /\barts?\b|\bcraft|\bmusic|\bchoir|museum|creative/i],
  ['physical-activity', /physical activit|exercise|\bsport|\bwalk|\bgym|\bswim|dance|fitness/i],
  ['wellbeing-support', /mental|wellbeing|well-being|counsell|\bstress/i],
];

/** SP Link needs that any of `terms` speaks of, in SP Link's order; empty when none does. */
export function needsFor(terms: readonly string[]): NeedCode[] {
  const text = terms.join(' \u2022 ');
  return NEED_WORDS.filter(([, re]) => re.test(text)).map(([code]) => code);
}

/**
 * The SP Link service type for a service: the first type its taxonomy terms name, else the first its name and
 * description name, else a community group (what most directory entries that reach social prescribing are).
 */
export function serviceTypeFor(terms: readonly string[], nameAndDescription: string): ServiceTypeCode {
  const termText = terms.join(' \u2022 ');
  return (
    TYPE_WORDS.find(([, re]) => re.test(termText))?.[0] ??
    TYPE_WORDS.find(([, re]) => re.test(nameAndDescription))?.[0] ??
    'community-group'
  );
}
