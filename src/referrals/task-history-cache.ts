import type { Task } from '@medplum/fhirtypes';

/**
 * The `_history` of link-worker Tasks as last read, by endpoint and Task, for the GP's referral timelines. A Task's
 * history up to a version never changes, so a history read when the Task's newest version was V answers every
 * listing that finds the Task still at V; a listing that finds a new version reads the history again. Without
 * it, every listing read one history per referral (the FHIR requests of a listing grew with the patient's
 * referrals). Histories whose newest entry carries no `versionId` are not kept: nothing would say when they went
 * stale. Bounded: the least recently used Task goes first once `maxEntries` are held; 0 keeps nothing.
 */
export class TaskHistoryCache {
  private readonly entries = new Map<string, { versionId: string; history: readonly Task[] }>();

  constructor(readonly maxEntries = 2000) {}

  private static key(base: string, taskId: string): string {
    return `${base}\n${taskId}`;
  }

  /** The history read when the Task was at the version `task` has now; undefined when unknown or stale. */
  get(base: string, task: Task): readonly Task[] | undefined {
    const versionId = task.meta?.versionId;
    if (!task.id || !versionId) return undefined;
    const key = TaskHistoryCache.key(base, task.id);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.versionId !== versionId) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last, so eviction takes the front.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.history;
  }

  /**
   * Keeps `history` (newest first, as servers answer) for `task` when the newest entry is the version `task`
   * has: a history read while the Task moved on belongs to no version the next listing can check.
   */
  set(base: string, task: Task, history: readonly Task[]): void {
    const versionId = task.meta?.versionId;
    if (this.maxEntries <= 0 || !task.id || !versionId || history[0]?.meta?.versionId !== versionId) return;
    const key = TaskHistoryCache.key(base, task.id);
    this.entries.delete(key);
    this.entries.set(key, { versionId, history });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
