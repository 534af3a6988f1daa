import { expect } from 'chai';
import type { Observation, ObservationComponent } from '@medplum/fhirtypes';
import { composeMessageBack } from '../../../src/message-back/index.js';
import { CODE_SYSTEM, INSTRUMENTS, type Instrument } from '../../../src/referral-model/codes.js';
import { measureDirection, measureKey, outcomeSeries } from '../../../src/referral-model/outcome-series.js';

const item = (code: string, value: number): ObservationComponent => ({ code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code }] }, valueInteger: value });
const mycaw = (at: string, concern1: number, wellbeing: number): Observation => ({
  resourceType: 'Observation', status: 'final', effectiveDateTime: at,
  code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'mycaw' }] },
  component: [item('mycaw-concern-1', concern1), item('mycaw-wellbeing', wellbeing)],
});

describe('outcome series: which way is better (src/referral-model/outcome-series.ts)', () => {
  it('MYCaW: a lower score is better for the concerns and for wellbeing (0 "as good as it could be")', () => {
    const series = outcomeSeries([mycaw('2026-03-02', 5, 4), mycaw('2026-06-01', 2, 1)]);
    expect(series.map((s) => [s.key, s.higherIsBetter])).to.deep.equal([['mycaw:mycaw-concern-1', false], ['mycaw:mycaw-wellbeing', false]]);
    expect(measureDirection('mycaw:mycaw-wellbeing')).to.equal('lower');
  });

  it('the GP reads a fall in MYCaW wellbeing as better, not worse', () => {
    const lines = composeMessageBack({
      topic: 'referral-completed', from: 'Fernbridge Community Connect', sent: '2026-06-02T10:00:00Z',
      referral: { requester: 'Dr Amy Patel', authoredOn: '2026-03-01T09:00:00Z', needs: ['Loneliness'], priority: 'routine' },
      summary: [], connectedTo: [], activities: [], onward: [], notCarried: [],
      outcomes: [mycaw('2026-03-02', 5, 4), mycaw('2026-06-01', 2, 1)],
    }).sections.find((s) => s.code === 'outcomes')!.lines;
    expect(lines.find((l) => l.startsWith('MYCaW: general feeling of wellbeing'))).to.contain('4 → 1 (down 3, better; scale 0–6, lower is better)');
  });

  it('every instrument part has its direction in codes.ts, and series, keys and reports read that one definition', () => {
    const expected: Record<string, 'higher' | 'lower'> = {
      swemwbs: 'higher', wemwbs: 'higher', 'ons4:ons4-life-satisfaction': 'higher', 'ons4:ons4-worthwhile': 'higher', 'ons4:ons4-happiness': 'higher',
      'ons4:ons4-anxiety': 'lower', ucla3: 'lower', 'mycaw:mycaw-concern-1': 'lower', 'mycaw:mycaw-concern-2': 'lower', 'mycaw:mycaw-wellbeing': 'lower',
      phq9: 'lower', gad7: 'lower',
    };
    const keys = (INSTRUMENTS as readonly Instrument[]).flatMap((i) => [...(i.total ? [measureKey(i.code, 'total')] : []), ...i.items.map((it) => measureKey(i.code, it.code))]);
    expect(keys.sort()).to.deep.equal(Object.keys(expected).sort());
    for (const k of keys) expect(measureDirection(k), k).to.equal(expected[k]);
    expect(measureDirection('nope')).to.equal(undefined);
    expect(measureDirection('mycaw:nope')).to.equal(undefined);
  });
});
