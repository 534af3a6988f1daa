import { expect } from 'chai';
import { effectiveUrgency, parseReferralInput } from '../../../src/referrals/referral-input.js';

const base = {
  patientId: 'pat-1',
  needs: ['loneliness'],
  consent: { given: true, date: '2026-01-02' },
  contact: { methods: ['phone'] },
  safeguarding: { concern: false },
  service: { kind: 'link-worker-decides' },
};

function fieldsOf(body: unknown): Record<string, string> {
  const r = parseReferralInput(body);
  if (r.ok) throw new Error('expected invalid input');
  return Object.fromEntries(r.fields.map((f) => [f.path, f.message]));
}

describe('referral input', () => {
  it('accepts a minimal referral and fills sensible defaults', () => {
    const r = parseReferralInput(base);
    expect(r.ok).to.equal(true);
    if (r.ok) {
      expect(r.value.urgency).to.equal('routine');
      expect(r.value.contact.leaveMessage).to.equal(false);
      expect(r.value.accessibility.needs).to.deep.equal([]);
    }
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['no needs', { needs: [] }, 'needs', /at least one need/],
    ['unknown need', { needs: ['astrology'] }, 'needs', /from the list/],
    ['duplicate need', { needs: ['loneliness', 'loneliness'] }, 'needs', /once/],
    ['other need without detail', { needs: ['other'] }, 'otherNeed', /Describe the other need/],
    ['consent not given', { consent: { given: false, date: '2026-01-02' } }, 'consent.given', /must agree/],
    ['consent missing', { consent: undefined }, 'consent', /agreed/],
    ['consent date malformed', { consent: { given: true, date: '02/01/2026' } }, 'consent.date', /for example/],
    ['consent date impossible', { consent: { given: true, date: '2026-02-31' } }, 'consent.date', /real date/],
    ['consent date in the future', { consent: { given: true, date: '2999-01-01' } }, 'consent.date', /future/],
    ['no contact method', { contact: { methods: [] } }, 'contact.methods', /how the link worker may contact/],
    ['unknown contact method', { contact: { methods: ['pigeon'] } }, 'contact.methods', /from the list/],
    ['safe times too long', { contact: { methods: ['phone'], safeTimes: 'x'.repeat(201) } }, 'contact.safeTimes', /200 characters/],
    ['bad urgency', { urgency: 'yesterday' }, 'urgency', /routine, soon or urgent/],
    ['what matters too long', { whatMatters: 'x'.repeat(2001) }, 'whatMatters', /2000 characters/],
    ['interpreter without language', { accessibility: { needs: ['interpreter'] } }, 'accessibility.language', /language/],
    ['other accessibility without detail', { accessibility: { needs: ['other'] } }, 'accessibility.detail', /Describe/],
    ['safeguarding unanswered', { safeguarding: {} }, 'safeguarding.concern', /yes or no/],
    ['safeguarding without detail', { safeguarding: { concern: true } }, 'safeguarding.detail', /Describe the safeguarding/],
    ['no service choice', { service: undefined }, 'service', /Choose a service/],
    ['bad service id', { service: { kind: 'directory', healthcareServiceId: '../../x' } }, 'service.healthcareServiceId', /directory/],
    ['no patient', { patientId: undefined }, 'patientId', /relaunch/],
  ];
  for (const [name, over, path, message] of cases) {
    it(`gives a field-level message for ${name}`, () => {
      const fields = fieldsOf({ ...base, ...over });
      expect(fields).to.have.property(path);
      expect(fields[path]).to.match(message);
    });
  }

  it('reports every problem at once', () => {
    const fields = fieldsOf({ ...base, needs: [], contact: { methods: [] }, safeguarding: { concern: true } });
    expect(Object.keys(fields)).to.include.members(['needs', 'contact.methods']);
  });

  it('safeguarding raises the urgency', () => {
    expect(effectiveUrgency({ urgency: 'routine', safeguarding: { concern: true, detail: 'x' } })).to.equal('urgent');
    expect(effectiveUrgency({ urgency: 'soon', safeguarding: { concern: false } })).to.equal('soon');
  });
});
