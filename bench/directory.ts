/**
 * Directory search (`npm run bench directory`): p50/p95 of one search over 5,000 services (need, free text, distance
 * from the person's home, open now or this week, taking referrals, in a mix like a busy clinic's), using the index
 * built once per directory read, interleaved with the naive approach (reading every HealthcareService afresh on each
 * search: the same rules, no preparation), and their ratio. Both answer the same; the bench checks it.
 * DIRECTORY_BENCH_SERVICES (default 5000) and DIRECTORY_BENCH_ROUNDS (default 300).
 */
import type { HealthcareService, Location } from '@medplum/fhirtypes';
import { DirectoryIndex, type DirectorySearch } from '../src/directory/search.js';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, NEEDS } from '../src/referral-model/codes.js';

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** Deterministic pseudo-random numbers (mulberry32): the same directory and searches every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['walking', 'lunch', 'club', 'advice', 'debt', 'garden', 'choir', 'befriending', 'cafe', 'carers', 'support', 'group', 'drop-in', 'library', 'money', 'housing', 'art', 'craft', 'men', 'women', 'older', 'young', 'digital', 'food', 'bank'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export function syntheticDirectory(count: number, rnd = random(42), now = new Date()): { services: HealthcareService[]; locations: Location[] } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const locations: Location[] = Array.from({ length: Math.ceil(count / 4) }, (_, i) => ({
    resourceType: 'Location',
    id: `loc-${i}`,
    name: `Venue ${i}`,
    address: { line: [`${i} High Street`], city: pick(['Fernbridge', 'Ashby Green', 'Lower Vale', 'Millford']), postalCode: `FB${1 + (i % 9)} ${i % 10}AB` },
    position: { latitude: 52.2 + (rnd() - 0.5) * 0.4, longitude: -1.6 + (rnd() - 0.5) * 0.6 },
  }));
  const services: HealthcareService[] = Array.from({ length: count }, (_, i) => {
    const needs = [...new Set([pick(NEEDS), pick(NEEDS), pick(NEEDS)].slice(0, 1 + Math.floor(rnd() * 3)))];
    const name = `${pick(WORDS)} ${pick(WORDS)} ${i}`;
    const days = DAYS.filter(() => rnd() < 0.3);
    const start = 8 + Math.floor(rnd() * 8);
    return {
      resourceType: 'HealthcareService',
      id: `svc-${i}`,
      active: rnd() > 0.05,
      name,
      comment: `${name}: ${pick(WORDS)}, ${pick(WORDS)} and ${pick(WORDS)} for people in the area.`,
      providedBy: { display: `${pick(WORDS)} trust` },
      category: needs.map((n) => ({ coding: [{ system: CODE_SYSTEM.need, code: n.code, display: n.display }] })),
      ...(rnd() < 0.85 ? { location: [{ reference: `Location/loc-${Math.floor(rnd() * locations.length)}` }] } : {}),
      coverageArea: [{ display: 'Fernbridge and the Vale' }],
      ...(days.length ? { availableTime: [{ daysOfWeek: [...days], availableStartTime: `${String(start).padStart(2, '0')}:00:00`, availableEndTime: `${String(start + 2).padStart(2, '0')}:00:00` }] } : {}),
      extension: [
        {
          url: EXTENSION.serviceVerification,
          extension: [
            { url: EXTENSION_PART.serviceVerification.date, valueDateTime: new Date(now.getTime() - Math.floor(rnd() * 700) * 86_400_000).toISOString() },
            { url: EXTENSION_PART.serviceVerification.by, valueCode: 'feed' },
          ],
        },
        {
          url: EXTENSION.serviceCapacity,
          extension: [
            { url: EXTENSION_PART.serviceCapacity.acceptingReferrals, valueBoolean: rnd() > 0.2 },
            { url: EXTENSION_PART.serviceCapacity.waitDays, valueInteger: Math.floor(rnd() * 60) },
          ],
        },
      ],
    };
  });
  return { services, locations };
}

export function syntheticSearches(count: number, rnd = random(7)): DirectorySearch[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: count }, () => ({
    needs: [pick(NEEDS).code, ...(rnd() < 0.5 ? [pick(NEEDS).code] : [])],
    ...(rnd() < 0.3 ? { text: pick(WORDS) } : {}),
    near: { latitude: 52.2 + (rnd() - 0.5) * 0.2, longitude: -1.6 + (rnd() - 0.5) * 0.3 },
    ...(rnd() < 0.2 ? { withinMiles: 5 } : {}),
    ...(rnd() < 0.3 ? { open: rnd() < 0.5 ? ('now' as const) : ('this-week' as const) } : {}),
    ...(rnd() < 0.3 ? { acceptingOnly: true } : {}),
  }));
}

export function run(print: (name: string, value: string | number) => void): Promise<void> {
  const size = Math.max(100, Number(process.env.DIRECTORY_BENCH_SERVICES ?? 5000));
  const rounds = Math.max(20, Number(process.env.DIRECTORY_BENCH_ROUNDS ?? 300));
  const now = new Date();
  const opts = { now, staleAfterDays: 365 };
  const { services, locations } = syntheticDirectory(size, random(42), now);
  const searches = syntheticSearches(rounds);
  const t0 = performance.now();
  const index = DirectoryIndex.build(services, locations);
  const buildMs = performance.now() - t0;
  const indexed: number[] = [];
  const naive: number[] = [];
  let differ = 0;
  for (const [i, q] of searches.entries()) {
    // Interleaved, alternating which goes first, so both see the same machine.
    const runIndexed = () => {
      const s = performance.now();
      const r = index.search(q, opts);
      indexed.push(performance.now() - s);
      return r;
    };
    const runNaive = () => {
      const s = performance.now();
      const r = DirectoryIndex.build(services, locations).search(q, opts);
      naive.push(performance.now() - s);
      return r;
    };
    const naiveFirst = i % 2 === 1;
    const b = naiveFirst ? runNaive() : undefined;
    const a = runIndexed();
    const c = b ?? runNaive();
    if (a.map((h) => h.id).join() !== c.map((h) => h.id).join()) differ++;
  }
  print('directory_services', size);
  print('directory_searches', rounds);
  print('directory_index_build_ms', buildMs.toFixed(1));
  print('directory_search_p50_ms', percentile(indexed, 50).toFixed(2));
  print('directory_search_p95_ms', percentile(indexed, 95).toFixed(2));
  print('directory_naive_p50_ms', percentile(naive, 50).toFixed(2));
  print('directory_naive_p95_ms', percentile(naive, 95).toFixed(2));
  print('directory_p95_speedup', `${(percentile(naive, 95) / percentile(indexed, 95)).toFixed(1)}x`);
  print('directory_results_differ', differ);
  return Promise.resolve();
}
