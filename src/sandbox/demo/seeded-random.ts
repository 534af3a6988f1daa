/**
 * A seeded pseudo-random source (mulberry32: small, fast, 32 bits of state), for anything that must make the same
 * choices on every run: the demo's generated history, the reliability suite's faults and orderings.
 */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
