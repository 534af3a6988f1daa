import type { Resource } from '@medplum/fhirtypes';
import type { Change } from './repository.js';

/**
 * The in-memory data behind a sandbox repository: current resources, every stored version and
 * deletion markers. Stored resource objects are never mutated after being written (reads hand
 * out clones), so snapshots can share them and only copy the maps.
 */
export interface StoreMaps {
  /** resourceType → id → current version (absent once deleted). Owned by MemoryRepository. */
  readonly resources: Map<string, Map<string, Resource>>;
  /** resourceType → id → versions in write order. Owned by MemoryRepository. */
  readonly history: Map<string, Map<string, Resource[]>>;
}

/** A deletion is a version of its own: it takes the next version number. */
export interface DeletionRecord {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: string;
  readonly lastUpdated: string;
}

/** What the repository persists: every version and every deletion, enough to rebuild it exactly. */
export interface RepositoryState {
  readonly format: 'sp-link-sandbox-fhir/1';
  readonly versions: Resource[];
  readonly deletions: DeletionRecord[];
}

export const STATE_FORMAT = 'sp-link-sandbox-fhir/1';

export const keyOf = (resourceType: string, id: string): string => `${resourceType}/${id}`;

export interface Snapshot {
  readonly resources: Map<string, Map<string, Resource>>;
  readonly history: Map<string, Map<string, Resource[]>>;
  readonly deletions: Map<string, DeletionRecord[]>;
  readonly versions: Map<string, number>;
  readonly pending: Change[];
}

export function copyResources(src: StoreMaps['resources']): Map<string, Map<string, Resource>> {
  return new Map([...src].map(([type, byId]) => [type, new Map(byId)]));
}

export function copyHistory(src: StoreMaps['history']): Map<string, Map<string, Resource[]>> {
  return new Map([...src].map(([type, byId]) => [type, new Map([...byId].map(([id, list]) => [id, list.slice()]))]));
}

export function copyDeletions(src: Map<string, DeletionRecord[]>): Map<string, DeletionRecord[]> {
  return new Map([...src].map(([key, list]) => [key, list.slice()]));
}

/** Replaces the contents of `target` with `source`, keeping the Map identities MemoryRepository holds. */
export function replaceMap<K, V>(target: Map<K, V>, source: Map<K, V>): void {
  target.clear();
  for (const [k, v] of source) target.set(k, v);
}

/** JSON with sorted keys, to compare resources regardless of property order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
