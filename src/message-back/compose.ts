import type { Observation } from '@medplum/fhirtypes';
import { COMMUNICATION_TOPICS, URGENCIES, priorityToUrgency, type CommunicationTopicCode, type PrsbSectionCode } from '../referral-model/codes.js';
import { outcomeSeries, type OutcomeSeries } from '../referral-model/outcome-series.js';
import { formatLondonDate } from '../time/london.js';
import { SECTION_HEADINGS, type MessageBack, type MessageSection } from './document.js';

/**
 * What a message to the GP is made from, as words: names (never ids) and FHIR dates, which are shown as plain
 * Europe/London dates. The reconciler fills it from the referral, the Task version and its outputs.
 */
export interface MessageFacts {
  readonly topic: CommunicationTopicCode;
  /** The link-worker organisation that sends it (the Task owner's name, else the endpoint's). */
  readonly from: string;
  /** When the Task changed (FHIR instant). */
  readonly sent: string;
  /** Why the referral ended or paused, in words (declined, cancelled, could not contact). */
  readonly reason?: string;
  readonly referral: {
    /** Who referred: the ServiceRequest requester's display. */
    readonly requester?: string;
    readonly authoredOn?: string;
    readonly needs: readonly string[];
    /** The needs as the link worker found them, when they changed after referral (Task `needs-identified`). */
    readonly needsFound?: readonly string[];
    /** ServiceRequest.priority. */
    readonly priority?: string;
    /** The service referred to (ServiceRequest performer's name). */
    readonly service?: string;
  };
  /** The link worker's summary for the GP. */
  readonly summary?: readonly string[];
  readonly sessionsHeld?: number;
  /** Services and groups the person was connected to, by name. */
  readonly connectedTo?: readonly string[];
  /** Activities that resulted, one line each (already in words). */
  readonly activities?: readonly string[];
  /** Onward referrals to community groups and what each group reported, one line each (already in words). */
  readonly onward?: readonly string[];
  /** Outcome measures as copied into the record. */
  readonly outcomes?: readonly Observation[];
  /** Social outcomes at closing, in words (referral-model/social-outcome.ts). */
  readonly socialOutcomes?: readonly string[];
  /** Lines for outputs that could not be carried into the record (the GP should ask for them). */
  readonly notCarried?: readonly string[];
  /** The link worker's words about a safeguarding concern. */
  readonly safeguardingDetail?: string;
  /** Where the link worker is (the Task's business status in words), for a progress update. */
  readonly progress?: string;
  /** A progress update sent after support ended: news from groups the person was referred on to (`onward`). */
  readonly afterSupportEnded?: boolean;
}

const section = (code: PrsbSectionCode, lines: readonly string[]): MessageSection => ({ code, heading: SECTION_HEADINGS[code], lines });

const titleOf = (topic: CommunicationTopicCode) => COMMUNICATION_TOPICS.find((t) => t.code === topic)!.display;

/** Who referred, when, for what, how urgently, to which service; and why it ended, when it did. */
function referralLines(f: MessageFacts): string[] {
  const r = f.referral;
  const on = formatLondonDate(r.authoredOn);
  const lines: string[] = [];
  if (r.requester || on) lines.push(['Referred', r.requester ? `by ${r.requester}` : '', on ? `on ${on}` : ''].filter(Boolean).join(' '));
  if (r.needs.length) lines.push(`${r.needs.length === 1 ? 'Need' : 'Needs'}: ${r.needs.join(', ')}`);
  if (r.needsFound?.length) lines.push(`Needs as the link worker found them: ${r.needsFound.join(', ')}`);
  const urgency = URGENCIES.find((u) => u.code === priorityToUrgency(r.priority))!.display;
  lines.push(`Urgency: ${urgency}`);
  if (r.service) lines.push(`Referred to: ${r.service}`);
  if (f.reason && f.topic !== 'referral-completed' && f.topic !== 'safeguarding-concern' && f.topic !== 'referral-progress') lines.push(`Reason: ${f.reason}`);
  return lines;
}

function supportLines(f: MessageFacts): string[] {
  const lines = [...(f.summary ?? [])];
  if (f.sessionsHeld !== undefined) lines.push(`Sessions held: ${f.sessionsHeld}`);
  for (const s of f.connectedTo ?? []) lines.push(`Connected to: ${s}`);
  for (const a of f.activities ?? []) lines.push(`Activity: ${a}`);
  for (const o of f.onward ?? []) lines.push(`Referred on to ${o}`);
  return lines.length ? lines : ['Social prescribing link worker support (no further details were sent).'];
}

/** "Wellbeing (SWEMWBS)" rather than the instrument's full coded display ending in "total". */
const shortLabel = (s: OutcomeSeries) => s.label.replace(/ total$/, '');

/** One line per instrument (or item): first and latest score, the change and whether it is better, with dates. */
export function outcomeLine(s: OutcomeSeries): string {
  const score = (p: OutcomeSeries['points'][number]) => `${p.value}${p.corrected ? ' (corrected)' : ''}`;
  const scale = `scale ${s.min}–${s.max}, ${s.higherIsBetter ? 'higher' : 'lower'} is better`;
  const first = s.points[0]!;
  const last = s.points[s.points.length - 1]!;
  if (s.points.length === 1) return `${shortLabel(s)}: ${score(first)} on ${formatLondonDate(first.at)} (measured once; ${scale})`;
  const d = last.value - first.value;
  const change = d === 0 ? 'no change' : `${d > 0 ? 'up' : 'down'} ${Math.abs(d)}, ${(d > 0) === s.higherIsBetter ? 'better' : 'worse'}`;
  return `${shortLabel(s)}: ${score(first)} → ${score(last)} (${change}; ${scale}), ${formatLondonDate(first.at)} to ${formatLondonDate(last.at)}`;
}

function outcomeLines(f: MessageFacts): string[] {
  // Measures with a before and an after first: the change is what the GP is looking for.
  const series = outcomeSeries([...(f.outcomes ?? [])])
    .filter((s) => s.points.length > 0)
    .sort((a, b) => Number(b.points.length > 1) - Number(a.points.length > 1));
  const social = (f.socialOutcomes ?? []).map((s) => `Social outcome: ${s}`);
  const measures = series.length ? series.map(outcomeLine) : social.length ? [] : ['No outcome measures were recorded.'];
  return [...measures, ...social, ...(f.notCarried ?? [])];
}

/** What happens next, by what happened: what the service will or will not do, and what the GP may want to do. */
function nextLines(f: MessageFacts): string[] {
  switch (f.topic) {
    case 'referral-completed':
      return [`Support from ${f.from} has ended.`, 'No action is needed from the practice; refer again if the person’s needs change.'];
    case 'referral-declined':
      return [`${f.from} will not be working with the person on this referral.`, 'The person may need another route to support: discuss with them, or refer again if their circumstances change.'];
    case 'referral-cancelled':
      return [`${f.from} has closed this referral.`, 'The person may need another route to support: discuss with them, or refer again if support is still wanted.'];
    case 'referral-not-completed':
      return [`${f.from} could not complete support with the person.`, 'The person may need another route to support: discuss with them, or refer again if support is still wanted.'];
    case 'could-not-contact':
      return [`${f.from} could not reach the person.`, 'Check the contact details in the record and refer again if support is still wanted.'];
    case 'referral-progress':
      if (f.afterSupportEnded) return [`Support from ${f.from} has ended; this is news from a group the person was referred on to.`, 'No action is needed from the practice.'];
      return [`${f.from} is still working with the person.`, 'No action is needed from the practice; you will be told when support ends.'];
    case 'safeguarding-concern':
      return [`Contact ${f.from} today about this concern, and follow the practice’s safeguarding procedure.`, 'A safeguarding alert has been added to the patient’s record.'];
    case 'referral-received':
      return [`${f.from} will contact the person about this referral.`, 'No action is needed from the practice; you will be told how it ends, as for referrals from the practice.'];
    case 'referral-overdue':
      return [`${f.from} has not accepted this referral yet; its service manager has been asked to act on it.`, `If the person cannot wait, contact ${f.from} or consider another route to support.`];
    default:
      return f.topic satisfies never;
  }
}

/**
 * The message to the GP for one topic, structured after the PRSB "Message back to GP and referrer": referral
 * details, support offered and activities connected to, outcome measures before and after, what happens next.
 * Messages about an event (declined, cancelled, could not contact, safeguarding) carry the sections that apply.
 */
export function composeMessageBack(f: MessageFacts): MessageBack {
  const sections: MessageSection[] = [section('referral-details', referralLines(f))];
  switch (f.topic) {
    case 'referral-completed':
      sections.push(section('support-offered', supportLines(f)), section('outcomes', outcomeLines(f)));
      break;
    case 'safeguarding-concern':
      sections.push(section('safety-alerts', [f.safeguardingDetail?.trim() || 'The link worker raised a safeguarding concern.']));
      break;
    case 'referral-declined':
    case 'referral-cancelled':
    case 'referral-not-completed':
    case 'could-not-contact':
      if (f.notCarried?.length) sections.push(section('support-offered', f.notCarried));
      break;
    case 'referral-progress':
      sections.push(section('support-offered', f.afterSupportEnded ? (f.onward ?? []).map((o) => `Referred on to ${o}`) : [`Stage: ${f.progress ?? 'updated'}`]));
      break;
    case 'referral-overdue':
    case 'referral-received':
      break;
    default:
      f.topic satisfies never;
  }
  sections.push(section('plan-and-requested-actions', nextLines(f)));
  return { title: titleOf(f.topic), from: f.from, sentOn: formatLondonDate(f.sent), sections };
}
