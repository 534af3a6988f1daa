import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import type { HistoryItem } from '../fhir-store/index.js';

/**
 * The JSON data file the sandbox servers kept their data in before the FHIR store: `<dataDir>/<name>.json`,
 * `{ "format": "sp-link-sandbox-fhir/1", "versions": [every stored version], "deletions": [...] }`.
 */
export function sandboxDataFile(dataDir: string, name: 'ehr' | 'lw'): string {
  return path.join(dataDir, `${name}.json`);
}

const STATE_FORMAT = 'sp-link-sandbox-fhir/1';

interface DataFileState {
  readonly format: string;
  readonly versions: Resource[];
  readonly deletions: { resourceType: string; id: string; versionId: string; lastUpdated: string }[];
}

/**
 * Every version a data file holds, deletions included, as history items for `DbFhirRepository.importHistory`;
 * undefined when there is no file. A file that cannot be read as one is an error naming it.
 */
export async function readSandboxDataFile(file: string): Promise<HistoryItem[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const state = JSON.parse(text) as DataFileState;
    if (state.format !== STATE_FORMAT) throw new Error(`unsupported format ${String(state.format)}`);
    const versions: HistoryItem[] = state.versions.map((resource) => ({
      resourceType: resource.resourceType,
      id: resource.id ?? '',
      versionId: resource.meta?.versionId ?? '',
      lastUpdated: resource.meta?.lastUpdated ?? '',
      resource,
    }));
    return [...versions, ...state.deletions.map((d) => ({ ...d }))];
  } catch (err) {
    throw new Error(`cannot import sandbox data file ${file}: ${err instanceof Error ? err.message : String(err)}; move it away to start from the demo data`);
  }
}

/** Marks a data file as imported (`<file>.imported`), so it is neither read again nor mistaken for live data. */
export async function retireSandboxDataFile(file: string): Promise<string> {
  const retired = `${file}.imported`;
  await rename(file, retired);
  return retired;
}
