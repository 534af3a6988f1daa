import type { WithId } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';

/**
 * What a transaction that holds its store's write lock has already read and written, so that it does not ask the
 * database again for an answer it has. While the lock is held no other writer can change the store, so an answer
 * stays true until this transaction itself writes.
 *
 * A transaction Bundle asks twice as a rule: Medplum's batch processor searches each conditional entry's
 * `ifNoneExist` to resolve its identity, then the entry's conditional create searches the same again; and an
 * authorisation check reads back a resource the Bundle has just written (a Provenance's target). On the embedded
 * store every statement holds the one connection, so each repeat made every other request wait longer.
 *
 * Searches are kept by their exact SQL and parameters without the page bounds, only when the page held every match
 * (so any smaller page of the same query is a slice of it); a write of a resource type forgets the searches of that
 * type (a search names one type, and its filters read only that type's rows).
 */
export class TransactionReads {
  private readonly searches = new Map<string, { resourceType: string; rows: readonly unknown[] }>();
  /** Resources this transaction wrote, by `Type/id`; null when it deleted one. */
  private readonly written = new Map<string, WithId<Resource> | null>();

  /** The first `limit` rows of a search kept under `key`, or undefined when it was not kept. */
  search<R>(key: string, limit: number): R[] | undefined {
    const kept = this.searches.get(key);
    return kept ? (structuredClone(kept.rows.slice(0, limit)) as R[]) : undefined;
  }

  /** Keeps a search's rows when they are all its matches (`complete`): a later page of it is a slice of them. */
  keepSearch(key: string, resourceType: string, rows: readonly unknown[], complete: boolean): void {
    if (complete) this.searches.set(key, { resourceType, rows: structuredClone(rows) });
  }

  /** The resource as this transaction last wrote it (null: deleted), or undefined when it did not write it. */
  read(resourceType: string, id: string): WithId<Resource> | null | undefined {
    const r = this.written.get(`${resourceType}/${id}`);
    return r ? structuredClone(r) : r;
  }

  /** A version was written (null: a deletion): searches of its type may now answer differently. */
  wrote(resourceType: string, id: string, resource: WithId<Resource> | null): void {
    for (const [key, kept] of this.searches) if (kept.resourceType === resourceType) this.searches.delete(key);
    this.written.set(`${resourceType}/${id}`, resource ? structuredClone(resource) : null);
  }

  /** Written outside the version statements (an import, a clear): nothing kept can be trusted. */
  forget(): void {
    this.searches.clear();
    this.written.clear();
  }
}
