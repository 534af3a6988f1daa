import { expect } from 'chai';
import type { Communication, Observation } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../../src/referral-model/codes.js';
import {
  composeMessageBack, messageBackText, messageNarrative, messagePayloads, readMessageBack, renderMessageBackXhtml, sectionTag, type MessageFacts,
} from '../../../src/message-back/index.js';
import { ISO_DATE, RAW_ID } from '../../helpers/readable-text.js';

const outcome = (code: string, at: string, value: number): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code }] },
  effectiveDateTime: at,
  valueInteger: value,
});

const completed: MessageFacts = {
  topic: 'referral-completed',
  from: 'Fernbridge Community Connect',
  // 23:30 UTC on 30 June: already 1 July in London (BST).
  sent: '2026-06-30T23:30:00Z',
  referral: { requester: 'Dr Amy Patel', authoredOn: '2026-03-02T09:15:00Z', needs: ['Loneliness', 'Debt or money worries'], priority: 'routine', service: 'Fernbridge Community Connect link workers' },
  summary: ['Met six times; now goes to the walking group each week.'],
  sessionsHeld: 6,
  connectedTo: ['Healthy Steps walking group', 'Carers’ café'],
  activities: ['Benefits check (3 Apr 2026)'],
  onward: ['Green Roots therapeutic gardening (Green Roots Community Garden): attended'],
  outcomes: [outcome('swemwbs', '2026-03-09', 17), outcome('swemwbs', '2026-06-29T10:00:00Z', 24), outcome('ucla3', '2026-03-09', 8), outcome('ucla3', '2026-06-29', 5), outcome('phq9', '2026-06-29', 9)],
  notCarried: [],
};

describe('message back to the GP (src/message-back)', () => {
  it('has the PRSB sections under headings a GP reads, in order', () => {
    const m = composeMessageBack(completed);
    expect(m.title).to.equal('Social prescribing completed: message back to GP');
    expect(m.sections.map((s) => s.heading)).to.deep.equal([
      'Referral details', 'Support offered and activities connected to', 'Outcome measures (before and after)', 'What happens next',
    ]);
    const text = messageBackText(m);
    expect(text).to.contain('Referred by Dr Amy Patel on 2 Mar 2026').and.contain('Needs: Loneliness, Debt or money worries').and.contain('Urgency: Routine');
    expect(text).to.contain('Connected to: Healthy Steps walking group').and.contain('Sessions held: 6').and.contain('Activity: Benefits check (3 Apr 2026)');
    expect(m.sections[1]!.lines, 'onward referrals and their outcome, under support offered').to.include('Referred on to Green Roots therapeutic gardening (Green Roots Community Garden): attended');
    expect(text).to.contain('Support from Fernbridge Community Connect has ended.');
  });

  it('reads as text with no raw ids and no ISO timestamps; dates are Europe/London days', () => {
    const text = messageBackText(composeMessageBack(completed));
    expect(text).not.to.match(RAW_ID);
    expect(text).not.to.match(ISO_DATE);
    // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    expect(text).to.contain('From Fernbridge Community Connect, 1 Jul 2026');
  });

  it('reports each outcome measure before and after, with the change and whether it is better', () => {
    const lines = composeMessageBack(completed).sections.find((s) => s.code === 'outcomes')!.lines;
    // Measures with a before and an after first.
    expect(lines).to.deep.equal([
      'Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS): 17 → 24 (up 7, better; scale 7–35, higher is better), 9 Mar 2026 to 29 Jun 2026',
      'UCLA 3-item Loneliness Scale: 8 → 5 (down 3, better; scale 3–9, lower is better), 9 Mar 2026 to 29 Jun 2026',
      'Patient Health Questionnaire (PHQ-9): 9 on 29 Jun 2026 (measured once; scale 0–27, lower is better)',
    ]);
  });

  it('lists social outcomes at closing with the outcome measures, and they alone are an outcome to report', () => {
    const lines = (f: MessageFacts) => composeMessageBack(f).sections.find((s) => s.code === 'outcomes')!.lines;
    expect(lines({ ...completed, socialOutcomes: ['Housing secured or improved'] })).to.include('Social outcome: Housing secured or improved');
    expect(lines({ ...completed, outcomes: [], socialOutcomes: ['Debt advice received'] })).to.deep.equal(['Social outcome: Debt advice received']);
  });

  it('says so when nothing was recorded, rather than leaving a section empty', () => {
    const m = composeMessageBack({ ...completed, summary: [], sessionsHeld: undefined, connectedTo: [], activities: [], onward: [], outcomes: [] });
    const text = messageBackText(m);
    expect(text).to.contain('no further details were sent').and.contain('No outcome measures were recorded.');
  });

  it('an event message (declined) carries the referral details with the reason and what happens next', () => {
    const m = composeMessageBack({ ...completed, topic: 'referral-declined', reason: 'Person declined social prescribing' });
    expect(m.sections.map((s) => s.code)).to.deep.equal(['referral-details', 'plan-and-requested-actions']);
    expect(messageBackText(m)).to.contain('Reason: Person declined social prescribing').and.contain('another route to support');
  });

  it('a safeguarding concern carries the link worker’s words and asks the practice to act today', () => {
    const m = composeMessageBack({ ...completed, topic: 'safeguarding-concern', safeguardingDetail: 'Lives with a partner who controls her money.' });
    expect(m.sections.map((s) => s.code)).to.deep.equal(['referral-details', 'safety-alerts', 'plan-and-requested-actions']);
    expect(messageBackText(m)).to.contain('Lives with a partner who controls her money.').and.contain('Contact Fernbridge Community Connect today');
  });

  it('renders valid, escaped FHIR narrative XHTML with headings', () => {
    const m = composeMessageBack({ ...completed, summary: ['<script>alert(1)</script> & "quotes"\u0007'] });
    const div = renderMessageBackXhtml(m);
    expect(div).to.match(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml"><h2>Social prescribing completed: message back to GP<\/h2><p>From Fernbridge Community Connect, sent 1 Jul 2026<\/p><h3>Referral details<\/h3><ul><li>/);
    expect(div).not.to.contain('<script>');
    expect(div).to.contain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;</li>');
    expect(div).not.to.contain('\u0007');
    // Only the elements FHIR narrative allows, with no attributes beyond the namespace.
    const tags = [...div.matchAll(/<([a-z0-9]+)([^>]*)>/g)];
    expect([...new Set(tags.map((t) => t[1]))].sort()).to.deep.equal(['div', 'h2', 'h3', 'li', 'p', 'ul']);
    expect(tags.filter((t) => t[2] !== '' && t[1] !== 'div')).to.deep.equal([]);
    expect(renderMessageBackXhtml(m, { headingLevel: 4 })).to.contain('<h4>Social prescribing').and.contain('<h5>Referral details</h5>');
  });

  it('round-trips through a Communication: narrative + tagged payloads read back to the same document', () => {
    const m = composeMessageBack(completed);
    const c: Communication = {
      resourceType: 'Communication',
      status: 'completed',
      topic: { coding: [{ system: CODE_SYSTEM.communicationTopic, code: 'referral-completed' }] },
      sender: { display: 'Fernbridge Community Connect' },
      sent: completed.sent,
      text: messageNarrative(m),
      payload: messagePayloads(m),
    };
    expect(readMessageBack(c)).to.deep.equal(m);
    expect(renderMessageBackXhtml(readMessageBack(c))).to.equal(c.text!.div);
  });

  it('leaves out the person-demographics section, which earlier messages filled with ids', () => {
    const c: Communication = {
      resourceType: 'Communication',
      status: 'completed',
      topic: { coding: [{ system: CODE_SYSTEM.communicationTopic, code: 'referral-completed' }] },
      payload: [
        { extension: [sectionTag('person-demographics')], contentString: 'Patient/pat-05 in this record (as referred by ServiceRequest/54100545).' },
        { extension: [sectionTag('support-offered')], contentString: 'Sessions held: 3' },
      ],
    };
    const m = readMessageBack(c);
    expect(m.sections).to.deep.equal([{ code: 'support-offered', heading: 'Support offered and activities connected to', lines: ['Sessions held: 3'] }]);
    expect(messageBackText(m)).not.to.match(RAW_ID);
  });

  it('reads a message without section tags (another system, or written before sections) as paragraphs', () => {
    const c: Communication = {
      resourceType: 'Communication',
      status: 'completed',
      topic: { text: 'Update from the link worker' },
      payload: [{ contentString: 'First paragraph.\n\nSecond paragraph.' }, { contentReference: { reference: 'Observation/o1' } }],
    };
    expect(readMessageBack(c)).to.deep.equal({ title: 'Update from the link worker', sections: [{ heading: '', lines: ['First paragraph.', 'Second paragraph.'] }] });
  });
});
