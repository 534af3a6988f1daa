import type { CommittedChange, DbFhirRepository } from './repository.js';

export interface ChangeReaderOptions {
  readonly repo: DbFhirRepository;
  /** The consumer's name in `fhir_change_consumers` (one position per store and consumer). */
  readonly consumer: string;
  /**
   * Handles committed changes, oldest first. The consumer's position moves past them only once this resolves,
   * so a crash (or a close) part-way through hands them over again at the next start: at least once, never lost.
   */
  readonly handle: (changes: readonly CommittedChange[]) => Promise<void>;
  /** Told about a failed read or handler; the reader tries again after `retryDelayMs`. */
  readonly onError?: (err: unknown) => void;
  readonly batchSize?: number;
  readonly retryDelayMs?: number;
}

/**
 * Reads a store's change journal (`fhir_changes`) from where its consumer got to: rows written in the same
 * transaction as the change, so only committed writes are ever handed over. `wake()` after a commit; the reader
 * also catches up on start, with anything committed before a crash. Writes to one store commit one at a time
 * (its row lock), so journal order is commit order and a reader never skips a late commit.
 */
export class ChangeReader {
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private position = 0;
  private lastError: unknown;

  constructor(private readonly opts: ChangeReaderOptions) {}

  /** Starts from the recorded position, catching up on anything not yet handled. */
  start(): void {
    this.wake();
  }

  /** Something was committed: read on (once the current pass finishes, if one is running). */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Marks everything committed so far as handled without handing it over (e.g. demo data just seeded). */
  async skipToEnd(): Promise<void> {
    const end = await this.opts.repo.lastChangeSeq();
    await this.opts.repo.recordConsumerPosition(this.opts.consumer, end);
    this.position = Math.max(this.position, end);
  }

  /** Resolves once every change committed before the call has been handled; rejects if reading keeps failing. */
  async settle(): Promise<void> {
    const target = await this.opts.repo.lastChangeSeq();
    while (!this.closed && this.position < target) {
      this.lastError = undefined;
      this.wake();
      await this.running;
      if (this.lastError !== undefined && this.position < target) throw this.lastError;
    }
  }

  /** Stops reading; a pass in progress finishes without recording its position (it is handed over again next start). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.running;
  }

  private async pass(): Promise<void> {
    try {
      const { repo, consumer } = this.opts;
      for (;;) {
        // The recorded position, not a copy in memory: a reset or another handle may have moved it on.
        const from = await repo.consumerPosition(consumer);
        this.position = Math.max(this.position, from);
        const changes = await repo.changesSince(from, this.opts.batchSize ?? 100);
        if (changes.length === 0 || this.closed) return;
        await this.opts.handle(changes);
        if (this.closed) return;
        const last = changes.at(-1)!.seq;
        await repo.recordConsumerPosition(consumer, last);
        this.position = Math.max(this.position, last);
      }
    } catch (err) {
      this.lastError = err;
      this.opts.onError?.(err);
      if (!this.closed) {
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.wake(), this.opts.retryDelayMs ?? 1000);
      }
    }
  }
}
