import { NEEDS, SOCIAL_OUTCOMES, URGENCIES, displayOf } from '../referral-model/codes.js';
import { ONWARD_STATES, onwardLabel } from '../referral-model/onward-referral.js';
import { AGE_BANDS, DISABILITY, ETHNIC_CATEGORIES, ETHNIC_GROUPS, SEXES } from './equality.js';
import { REACH, REFERRAL_SOURCES } from './referral-fact.js';

/**
 * What the reports count by and split by, defined once for the SQL, the pages, the CSV and the MeasureReports:
 * each with its SQL expression over report_referrals (alias `r`) and its categories in the order shown.
 * Missing values are a category of their own (`not-known`), so totals always add up.
 */

export interface Category {
  code: string;
  label: string;
}

export const NOT_KNOWN: Category = { code: 'not-known', label: 'Not known' };

/** The equality splits every figure can be broken down by (plus `all`: nobody split). */
export const SPLIT_KEYS = ['all', 'age-band', 'sex', 'ethnicity', 'imd-quintile', 'disability'] as const;
export type SplitKey = (typeof SPLIT_KEYS)[number];

export interface Split {
  key: SplitKey;
  label: string;
  /** SQL text expression; never NULL. */
  sql: string;
  categories: readonly Category[];
}

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ethnicGroupSql = `CASE r.ethnicity ${ETHNIC_CATEGORIES.map((c) => `WHEN ${sqlText(c.code)} THEN ${sqlText(c.group)}`).join(' ')} ELSE ${sqlText('Not known')} END`;
const SEX_LABELS: Record<(typeof SEXES)[number], string> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Not known' };
// The answer to "Does the person consider themselves disabled?" (the GP app asks it: no UK Core place in the Patient).
const DISABILITY_LABELS: Record<(typeof DISABILITY)[number], string> = { yes: 'Disabled', no: 'Not disabled', 'prefer-not-to-say': 'Prefer not to say' };

export const SPLITS: readonly Split[] = [
  { key: 'all', label: 'Everyone', sql: `'all'`, categories: [{ code: 'all', label: 'All people' }] },
  { key: 'age-band', label: 'Age band', sql: `coalesce(r.age_band, 'not-known')`, categories: [...AGE_BANDS.map((b) => ({ code: b, label: b.replace('-', '–') })), NOT_KNOWN] },
  { key: 'sex', label: 'Sex', sql: `coalesce(r.sex, 'unknown')`, categories: SEXES.map((s) => ({ code: s, label: SEX_LABELS[s] })) },
  { key: 'ethnicity', label: 'Ethnic group', sql: ethnicGroupSql, categories: ETHNIC_GROUPS.map((g) => ({ code: g, label: g })) },
  {
    key: 'imd-quintile', label: 'Deprivation (IMD quintile)', sql: `coalesce(((r.imd_decile + 1) / 2)::text, 'not-known')`,
    categories: [
      { code: '1', label: '1 (most deprived)' }, { code: '2', label: '2' }, { code: '3', label: '3' }, { code: '4', label: '4' },
      { code: '5', label: '5 (least deprived)' }, NOT_KNOWN,
    ],
  },
  // Not asked, or asked and left at "not asked": not known (src/reports/equality.ts keeps only the answers given).
  { key: 'disability', label: 'Disability', sql: `coalesce(r.disability, 'not-known')`, categories: [...DISABILITY.map((d) => ({ code: d, label: DISABILITY_LABELS[d] })), NOT_KNOWN] },
];

export const splitOf = (key: SplitKey): Split => SPLITS.find((s) => s.key === key)!;
export const isSplitKey = (v: unknown): v is SplitKey => typeof v === 'string' && (SPLIT_KEYS as readonly string[]).includes(v);

/** A split's categories with any code the data holds that the list lacks (so nothing counted goes unshown). */
export function categoriesOf(split: Split, seen: Iterable<string>): Category[] {
  const out = [...split.categories];
  for (const code of seen) if (!out.some((c) => c.code === code)) out.push({ code, label: code });
  return out;
}

/** The things referrals are counted by. `many`: a referral can fall in several (needs, services connected, social outcomes). */
export interface CountDimension {
  key: 'source' | 'practice' | 'pcn' | 'service' | 'urgency' | 'need' | 'reach' | 'end-reason' | 'connected' | 'social-outcome'
    | 'onward-service' | 'onward-state' | 'onward-need' | 'onward-reason';
  label: string;
  /** SQL over report_referrals (alias `r`): a value, or an array when `many`; for an `onward` dimension, see there. */
  sql: string;
  many?: true;
  /**
   * Counted per onward referral (report_onward): `sql` is an array over one onward referral (alias `o`) and its
   * referral (`r`), each element counted under the referral's splits. Read in one join of the onward referrals to
   * their referrals (never a subquery per referral, which cost a page seconds at 100,000 referrals).
   */
  onward?: true;
  /** Known categories in order; others are shown as they come, with `label`. */
  categories?: readonly Category[];
  labelOf?: (code: string) => string;
}

const list = (xs: readonly { code: string; display: string }[]): Category[] => xs.map((x) => ({ code: x.code, label: x.display }));

export const DIMENSIONS: readonly CountDimension[] = [
  { key: 'source', label: 'Source of referral', sql: 'r.source', categories: list(REFERRAL_SOURCES) },
  { key: 'practice', label: 'Practice', sql: 'r.practice' },
  { key: 'pcn', label: 'Primary care network', sql: `coalesce(r.pcn, 'not-known')` },
  { key: 'service', label: 'Service', sql: 'r.service' },
  { key: 'urgency', label: 'Urgency', sql: 'r.urgency', categories: list(URGENCIES) },
  { key: 'need', label: 'Need', sql: 'r.needs', many: true, categories: list(NEEDS) },
  { key: 'reach', label: 'How far the referral got', sql: 'r.reach', categories: list(REACH) },
  { key: 'end-reason', label: 'Reason it ended', sql: `coalesce(r.end_reason, 'not-known')`, labelOf: (c) => displayOf('statusReason', c) ?? (c === 'not-known' ? 'No reason recorded' : c) },
  { key: 'connected', label: 'Service connected to', sql: 'r.services_connected', many: true },
  { key: 'social-outcome', label: 'Social outcome', sql: 'r.social_outcomes', many: true, categories: list(SOCIAL_OUTCOMES) },
  // Onward referrals to community groups (report_onward, migration 660), each counted under its referral, so the
  // referral's filter and equality splits apply: one entry per onward referral (per need of its referral for needs).
  { key: 'onward-service', label: 'Community service', sql: 'ARRAY[o.community_service]', many: true, onward: true },
  { key: 'onward-state', label: 'What became of it', sql: 'ARRAY[o.state]', many: true, onward: true, categories: ONWARD_STATES.map((st) => ({ code: st, label: onwardLabel(st).label })) },
  { key: 'onward-need', label: 'Need referred for', sql: 'r.needs', many: true, onward: true, categories: list(NEEDS) },
  {
    key: 'onward-reason', label: 'Reason', sql: `CASE WHEN o.state IN ('declined', 'withdrawn') THEN ARRAY[coalesce(o.reason, 'not-known')] ELSE '{}' END`, many: true, onward: true,
    labelOf: (c) => displayOf('statusReason', c) ?? (c === 'not-known' ? 'No reason recorded' : c),
  },
];

export const dimensionOf = (key: CountDimension['key']): CountDimension => DIMENSIONS.find((d) => d.key === key)!;

/** Label of a dimension's category. */
export function labelIn(d: CountDimension, code: string): string {
  return d.categories?.find((c) => c.code === code)?.label ?? d.labelOf?.(code) ?? code;
}
