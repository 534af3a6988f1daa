import type { DirectorySearch } from '../../directory/search.js';
import { parseDirectoryQuery } from '../../referrals/directory.js';

/**
 * The link worker's directory search from a case (pure), read from the case page's query string with the same
 * parser as the GP app's picker (src/referrals/directory.ts, over src/directory/search.ts). Until the link worker
 * searches, the case's needs rank the services and the nearest to the person's home come first; services that meet
 * none of those needs are still listed (what matters to the person may not be what they were referred for).
 */

export interface OnwardSearchForm {
  readonly needs: readonly string[];
  readonly q: string;
  readonly open: '' | 'now' | 'this-week';
  readonly accepting: boolean;
  readonly nearHome: boolean;
  /** True once the link worker has searched (the form was sent), false for the case's defaults. */
  readonly searched: boolean;
}

/** Results shown at once; the rest are counted ("12 more: search to narrow them"). */
export const ONWARD_RESULTS_SHOWN = 20;

export function onwardSearchOf(query: Record<string, unknown> | undefined, caseNeeds: readonly string[]): { form: OnwardSearchForm; search: Omit<DirectorySearch, 'near'>; nearHome: boolean } {
  const searched = query?.find === '1';
  const parsed = parseDirectoryQuery(searched ? query! : { need: [...caseNeeds], near: 'home' });
  const s = parsed.search;
  return {
    form: { needs: s.needs ?? [], q: s.text ?? '', open: s.open ?? '', accepting: s.acceptingOnly === true, nearHome: parsed.nearHome, searched },
    search: { ...s, keepUnmatched: true },
    nearHome: parsed.nearHome,
  };
}
