import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import type { CodeSystemConcept } from '@medplum/fhirtypes';
import {
  CANONICAL_BASE,
  CODE_LISTS,
  CODE_SYSTEM,
  EXTENSION,
  INSTRUMENTS,
  PROFILE,
  VALUE_SET,
  displayOf,
  priorityToUrgency,
  scoreInRange,
  scoreRange,
  urgencyToPriority,
  writeBackIdentifierValue,
  type CodeEntry,
  type CodeSystemKey,
  type Instrument,
} from '../../../src/referral-model/codes.js';
import { spLinkDefinitions } from '../../../src/fhir/validate/definitions.js';

const defs = spLinkDefinitions();

describe('fhir/codes', () => {
  it('uses the canonical base of sushi-config.yaml', () => {
    const config = parse(readFileSync(new URL('../../../fhir-profiles/sushi-config.yaml', import.meta.url), 'utf8')) as { canonical: string };
    expect(CANONICAL_BASE).to.equal(config.canonical);
  });

  it('names only profiles, extensions and value sets that the generated output defines', () => {
    for (const url of [...Object.values(PROFILE), ...Object.values(EXTENSION)]) expect(defs.structureDefinitions.has(url), url).to.equal(true);
    for (const url of Object.values(VALUE_SET)) expect(defs.valueSets.has(url), url).to.equal(true);
  });

  for (const key of Object.keys(CODE_SYSTEM) as CodeSystemKey[]) {
    it(`CodeSystem ${key} in the generated output holds exactly the codes of codes.ts`, () => {
      const cs = defs.codeSystems.get(CODE_SYSTEM[key]);
      expect(cs, CODE_SYSTEM[key]).to.not.equal(undefined);
      const flat = (cs: readonly CodeSystemConcept[] | undefined): [string, string][] =>
        (cs ?? []).flatMap((c) => [[c.code, c.display ?? ''] as [string, string], ...flat(c.concept)]);
      const expected =
        key === 'outcomeInstrument'
          ? (INSTRUMENTS as readonly Instrument[]).flatMap((i) => [[i.code, i.display], ...i.items.map((it) => [it.code, it.display])])
          : (CODE_LISTS[key] as readonly CodeEntry[]).map((c) => [c.code, c.display]);
      expect(flat(cs!.concept)).to.deep.equal(expected);
    });
  }

  it('carries each instrument score range and direction in the generated CodeSystem', () => {
    const cs = defs.codeSystems.get(CODE_SYSTEM.outcomeInstrument)!;
    const range = (c: CodeSystemConcept) => ({
      min: c.property?.find((p) => p.code === 'minScore')?.valueInteger,
      max: c.property?.find((p) => p.code === 'maxScore')?.valueInteger,
      better: c.property?.find((p) => p.code === 'better')?.valueCode,
    });
    for (const inst of INSTRUMENTS as readonly Instrument[]) {
      const concept = cs.concept!.find((c) => c.code === inst.code)!;
      if (inst.total) expect(range(concept)).to.deep.equal(inst.total);
      for (const item of inst.items) expect(range(concept.concept!.find((c) => c.code === item.code)!)).to.deep.equal({ min: item.min, max: item.max, better: item.better });
    }
  });

  it('has the documented score ranges', () => {
    expect(scoreRange('swemwbs', 'total')).to.deep.equal({ min: 7, max: 35 });
    expect(scoreRange('wemwbs', 'total')).to.deep.equal({ min: 14, max: 70 });
    expect(scoreRange('ucla3', 'total')).to.deep.equal({ min: 3, max: 9 });
    expect(scoreRange('phq9', 'total')).to.deep.equal({ min: 0, max: 27 });
    expect(scoreRange('gad7', 'total')).to.deep.equal({ min: 0, max: 21 });
    for (const item of ['ons4-life-satisfaction', 'ons4-worthwhile', 'ons4-happiness', 'ons4-anxiety']) expect(scoreRange('ons4', item)).to.deep.equal({ min: 0, max: 10 });
    for (const item of ['mycaw-concern-1', 'mycaw-concern-2', 'mycaw-wellbeing']) expect(scoreRange('mycaw', item)).to.deep.equal({ min: 0, max: 6 });
    expect(scoreRange('ons4', 'total')).to.equal(undefined);
    expect(scoreRange('nope', 'total')).to.equal(undefined);
  });

  it('scoreInRange accepts the bounds and rejects just outside them and fractions', () => {
    for (const inst of INSTRUMENTS as readonly Instrument[]) {
      const parts = [...(inst.total ? [{ code: 'total', ...inst.total }] : []), ...inst.items];
      for (const p of parts) {
        const check = (v: number) => scoreInRange(inst.code as never, p.code as never, v);
        expect(check(p.min), `${inst.code} ${p.code} min`).to.equal(true);
        expect(check(p.max), `${inst.code} ${p.code} max`).to.equal(true);
        expect(check(p.min - 1), `${inst.code} ${p.code} below`).to.equal(false);
        expect(check(p.max + 1), `${inst.code} ${p.code} above`).to.equal(false);
        expect(check(p.min + 0.5), `${inst.code} ${p.code} fraction`).to.equal(false);
      }
    }
    expect(scoreInRange('swemwbs', 'total', Number.NaN)).to.equal(false);
  });

  it('maps urgency to ServiceRequest.priority and back', () => {
    expect(urgencyToPriority('routine')).to.equal('routine');
    expect(urgencyToPriority('soon')).to.equal('urgent');
    expect(urgencyToPriority('urgent')).to.equal('asap');
    expect(priorityToUrgency('asap')).to.equal('urgent');
    expect(priorityToUrgency('urgent')).to.equal('soon');
    expect(priorityToUrgency(undefined)).to.equal('routine');
    expect(() => urgencyToPriority('now' as never)).to.throw(/unknown urgency/);
  });

  it('builds deterministic write-back identifier values and refuses ambiguous parts', () => {
    expect(writeBackIdentifierValue(['lw', 'Task', 't1', 3])).to.equal('lw:Task:t1:3');
    expect(() => writeBackIdentifierValue([])).to.throw(TypeError);
    expect(() => writeBackIdentifierValue(['a|b'])).to.throw(/invalid identifier part/);
    expect(() => writeBackIdentifierValue(['a', ''])).to.throw(/invalid identifier part/);
  });

  it('finds display text, including instrument items', () => {
    expect(displayOf('need', 'loneliness')).to.equal('Loneliness');
    expect(displayOf('outcomeInstrument', 'ons4-anxiety')).to.equal('ONS4: anxiety yesterday');
    expect(displayOf('outcomeInstrument', 'swemwbs')).to.match(/SWEMWBS/);
    expect(displayOf('need', 'nope')).to.equal(undefined);
  });
});
