import { expect } from 'chai';
import { HEADING, note, parseNote } from '../../../src/referral-model/case-notes.js';

describe('referral-model/case-notes: the case record in Task.note', () => {
  const author = { reference: 'Practitioner/lw-1', display: 'Sarah Whitfield' };
  it('round-trips contacts and sessions through Task.note text', () => {
    const failed = parseNote(note({ heading: HEADING.contactFailed('Telephone call'), detail: 'rang twice', time: '2026-11-20', author }));
    expect(failed).to.include({ kind: 'contact-attempt', outcome: 'unsuccessful', method: 'phone', date: '2026-11-20', author: 'Sarah Whitfield' });
    expect(parseNote(note({ heading: HEADING.contactMade('Text message (SMS)'), time: '2026-11-21', author }))).to.include({ outcome: 'successful', method: 'sms' });
    expect(parseNote(note({ heading: HEADING.session('Accompanied to an activity', 90), time: '2026-11-22', author }))).to.include({ kind: 'session', method: 'accompanied', durationMinutes: 90 });
    expect(parseNote({ text: 'Link worker assigned.' })?.kind).to.equal('decision');
  });
});
