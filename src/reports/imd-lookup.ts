import { readFile } from 'node:fs/promises';
import { normalisePostcode } from './equality.js';

/**
 * The deploying organisation's deprivation lookup: a CSV with a header naming `postcode` and `imd_decile`
 * (an `lsoa` column may sit between them and is kept for whoever reads the file; e.g. built from the ONS
 * postcode directory and the English Indices of Deprivation). Decile 1 is the most deprived tenth.
 */
export interface ImdLookup {
  decileOf(postcode: string): number | undefined;
  readonly size: number;
}

export class ImdLookupError extends Error {}

/** Parses the lookup CSV; a bad row names its line, so the file can be fixed. */
export function parseImdLookup(csv: string, source = 'IMD lookup'): ImdLookup {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const pc = header.indexOf('postcode');
  const dec = header.indexOf('imd_decile');
  if (pc < 0 || dec < 0) throw new ImdLookupError(`${source}: the header must name the columns postcode and imd_decile (found: ${header.join(', ')})`);
  const map = new Map<string, number>();
  lines.forEach((line, i) => {
    const cols = line.split(',').map((c) => c.trim());
    const decile = Number(cols[dec]);
    if (!cols[pc] || !Number.isInteger(decile) || decile < 1 || decile > 10) {
      throw new ImdLookupError(`${source}, line ${i + 2}: expected a postcode and an IMD decile from 1 to 10`);
    }
    map.set(normalisePostcode(cols[pc]), decile);
  });
  return { decileOf: (postcode) => map.get(normalisePostcode(postcode)), size: map.size };
}

export async function loadImdLookup(file: string): Promise<ImdLookup> {
  return parseImdLookup(await readFile(file, 'utf8'), file);
}

export const NO_IMD_LOOKUP: ImdLookup = { decileOf: () => undefined, size: 0 };
