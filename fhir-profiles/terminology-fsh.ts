/**
 * Renders SP Link's CodeSystems and ValueSets as FSH from src/referral-model/codes.ts, so the code lists
 * live in one place. `npm run profiles` writes the result to input/fsh/terminology.fsh.
 */
import {
  CODE_LISTS,
  CODE_SYSTEM,
  INSTRUMENTS,
  SNOMED,
  SYSTEM,
  type CodeEntry,
  type CodeSystemKey,
  type Instrument,
} from '../src/referral-model/codes.js';
import { ETHNIC_CATEGORIES, UK_CORE } from '../src/referral-model/equality.js';

interface SystemMeta {
  readonly name: string;
  readonly title: string;
  readonly description: string;
}

/** FSH names, titles and descriptions of each SP Link CodeSystem (its ValueSet shares the id). */
const META: Record<CodeSystemKey, SystemMeta> = {
  need: { name: 'Need', title: 'SP Link needs and concerns', description: 'Needs and concerns that bring a person to social prescribing (PRSB: needs and concerns).' },
  serviceType: { name: 'ServiceType', title: 'SP Link service types', description: 'Kinds of service or activity a person is referred or connected to (PRSB: support offered, activities referred to).' },
  businessStatus: { name: 'BusinessStatus', title: 'SP Link referral Task business status', description: 'Where the link worker is with the person; finer than Task.status.' },
  statusReason: { name: 'StatusReason', title: 'SP Link decline and cancellation reasons', description: 'Why a referral was declined, cancelled or could not be completed.' },
  contactMethod: { name: 'ContactMethod', title: 'SP Link contact methods', description: 'How the person prefers to be contacted.' },
  sessionMode: { name: 'SessionMode', title: 'SP Link session modes', description: 'How a link-worker session is held.' },
  urgency: { name: 'Urgency', title: 'SP Link referral urgency', description: 'Urgency chosen by the referrer; maps to ServiceRequest.priority (routine→routine, soon→urgent, urgent→asap).' },
  accessibilityNeed: { name: 'AccessibilityNeed', title: 'SP Link accessibility and interpreter needs', description: 'Reasonable adjustments the person needs to take part.' },
  outcomeInstrument: { name: 'OutcomeInstrument', title: 'SP Link outcome instruments', description: 'Outcome measures and their scored items. Properties minScore and maxScore give the allowed range of a total (on an instrument) or of an item (on a child concept); better says whether a higher or a lower score means the person is doing better.' },
  taskOutputType: { name: 'TaskOutputType', title: 'SP Link referral Task output types', description: 'What a link worker attaches to the referral Task as Task.output.' },
  communicationTopic: { name: 'CommunicationTopic', title: 'SP Link messages to the GP', description: 'Events SP Link tells the GP about, including the message back at completion.' },
  flagCode: { name: 'FlagCode', title: 'SP Link flags', description: 'Flags SP Link raises in the GP record for things that need attention.' },
  gpReplyTopic: { name: 'GpReplyTopic', title: 'SP Link replies from the GP practice', description: 'What the GP practice records back about a referral, such as acknowledging a safeguarding concern.' },
  socialOutcome: { name: 'SocialOutcome', title: 'SP Link social outcomes', description: 'What changed in the person’s life by the time social prescribing support ended (housing, money, food, work, connection), recorded by the link worker at closing.' },
  equalityAnswer: { name: 'EqualityAnswer', title: 'SP Link equality monitoring answers', description: 'An answer to an equality monitoring question that is not a value of its own: yes, no, prefer not to say, or not asked.' },
  prsbSection: { name: 'PrsbSection', title: 'PRSB Social Prescribing Information Standard sections', description: 'Sections of the PRSB Social Prescribing Information Standard v1.1 that a message payload carries.' },
};

const q = (s: string) => JSON.stringify(s);
const idOf = (key: CodeSystemKey) => CODE_SYSTEM[key].split('/').pop() as string;

function codeSystem(key: CodeSystemKey): string[] {
  const m = META[key];
  const lines = [
    `CodeSystem: SPLink${m.name}CS`,
    `Id: ${idOf(key)}`,
    `Title: ${q(m.title)}`,
    `Description: ${q(m.description)}`,
    '* ^status = #active',
    '* ^experimental = false',
    '* ^caseSensitive = true',
  ];
  if (key === 'outcomeInstrument') return [...lines, ...instrumentConcepts()];
  for (const c of CODE_LISTS[key] as readonly CodeEntry[]) lines.push(`* #${c.code} ${q(c.display)}`);
  return lines;
}

function instrumentConcepts(): string[] {
  const lines = [
    '* ^hierarchyMeaning = #part-of',
    '* ^property[0].code = #minScore',
    '* ^property[0].type = #integer',
    '* ^property[0].description = "Lowest allowed score"',
    '* ^property[1].code = #maxScore',
    '* ^property[1].type = #integer',
    '* ^property[1].description = "Highest allowed score"',
    '* ^property[2].code = #better',
    '* ^property[2].type = #code',
    '* ^property[2].description = "Which way the score moves when the person is doing better: higher or lower"',
  ];
  const range = (prefix: string, r: { min: number; max: number; better: string }) => [
    `${prefix} ^property[0].code = #minScore`,
    `${prefix} ^property[0].valueInteger = ${r.min}`,
    `${prefix} ^property[1].code = #maxScore`,
    `${prefix} ^property[1].valueInteger = ${r.max}`,
    `${prefix} ^property[2].code = #better`,
    `${prefix} ^property[2].valueCode = #${r.better}`,
  ];
  for (const inst of INSTRUMENTS as readonly Instrument[]) {
    lines.push(`* #${inst.code} ${q(inst.display)}`);
    if (inst.total) lines.push(...range(`* #${inst.code}`, inst.total));
    for (const item of inst.items) {
      lines.push(`* #${inst.code} #${item.code} ${q(item.display)}`);
      lines.push(...range(`* #${inst.code} #${item.code}`, item));
    }
  }
  return lines;
}

function valueSet(key: CodeSystemKey): string[] {
  const m = META[key];
  const lines = [
    `ValueSet: SPLink${m.name}VS`,
    `Id: ${idOf(key)}`,
    `Title: ${q(m.title)}`,
    `Description: ${q(`All codes of the ${m.title} CodeSystem.`)}`,
    '* ^status = #active',
    '* ^experimental = false',
  ];
  if (key !== 'outcomeInstrument') return [...lines, `* include codes from system SPLink${m.name}CS`];
  // Instruments only (items have their own ValueSet), plus the verified LOINC totals.
  lines[3] = `Description: ${q('Outcome instruments SP Link records: SP Link codes, and LOINC where a verified code exists.')}`;
  for (const inst of INSTRUMENTS as readonly Instrument[]) {
    lines.push(`* SPLinkOutcomeInstrumentCS#${inst.code} ${q(inst.display)}`);
    if (inst.standardCode) lines.push(`* ${inst.standardCode.system}#${inst.standardCode.code} ${q(inst.standardCode.display)}`);
  }
  return lines;
}

function fixedValueSets(): string[] {
  const items = (INSTRUMENTS as readonly Instrument[]).flatMap((i) => i.items);
  const ref = SNOMED.referralToSocialPrescribing;
  return [
    'ValueSet: SPLinkOutcomeItemVS',
    'Id: outcome-item',
    'Title: "SP Link outcome instrument items"',
    'Description: "Scored items recorded as Observation.component (ONS4 items, MYCaW concerns and wellbeing)."',
    '* ^status = #active',
    '* ^experimental = false',
    ...items.map((i) => `* SPLinkOutcomeInstrumentCS#${i.code} ${q(i.display)}`),
    '',
    'ValueSet: SPLinkReferralCategoryVS',
    'Id: referral-category',
    'Title: "SP Link referral category"',
    'Description: "SNOMED CT UK concept that marks a ServiceRequest as a social prescribing referral."',
    '* ^status = #active',
    '* ^experimental = false',
    `* ${SYSTEM.snomed}#${ref.code} ${q(ref.display)}`,
    '',
    'ValueSet: SPLinkEthnicCategoryVS',
    'Id: ethnic-category',
    'Title: "NHS Data Dictionary ethnic categories"',
    'Description: "ETHNIC CATEGORY (NHS Data Dictionary, 2001 census categories) in the UK Core CodeSystem UKCore-EthnicCategoryEngland: A to S as the person chose, Z when they preferred not to say, 99 when they were not asked."',
    '* ^status = #active',
    '* ^experimental = false',
    ...ETHNIC_CATEGORIES.map((c) => `* ${UK_CORE.ethnicCategorySystem}#${c.code} ${q(c.display)}`),
    '',
    'ValueSet: SPLinkProvenanceActivityVS',
    'Id: provenance-activity',
    'Title: "SP Link Provenance activities"',
    'Description: "What SP Link did to the target: create or revise."',
    '* ^status = #active',
    '* ^experimental = false',
    `* ${SYSTEM.dataOperation}#CREATE "create"`,
    `* ${SYSTEM.dataOperation}#UPDATE "revise"`,
    '',
    'ValueSet: SPLinkProvenanceAgentTypeVS',
    'Id: provenance-agent-type',
    'Title: "SP Link Provenance agent types"',
    'Description: "Roles of the agents SP Link records on its Provenance."',
    '* ^status = #active',
    '* ^experimental = false',
    `* ${SYSTEM.provenanceParticipantType}#author "Author"`,
    `* ${SYSTEM.provenanceParticipantType}#performer "Performer"`,
    `* ${SYSTEM.provenanceParticipantType}#enterer "Enterer"`,
    `* ${SYSTEM.provenanceParticipantType}#assembler "Assembler"`,
  ];
}

/** The complete terminology.fsh text. */
export function renderTerminologyFsh(): string {
  const blocks: string[][] = [
    ['// Generated from src/referral-model/codes.ts by `npm run profiles`. Edit codes.ts, not this file.'],
  ];
  for (const key of Object.keys(CODE_SYSTEM) as CodeSystemKey[]) {
    blocks.push(codeSystem(key), valueSet(key));
  }
  blocks.push(fixedValueSets());
  return blocks.map((b) => b.join('\n')).join('\n\n') + '\n';
}
