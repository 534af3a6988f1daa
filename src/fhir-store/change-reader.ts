import type { CommittedChange, ConsumerLease, DbFhirRepository } from './repository.js';

/** Consuming under a lease, for several instances sharing one database (see ChangeReader). */
export interface ChangeReaderLease {
  /** This instance's name for the lease, unique among the instances. */
  readonly holder: string;
  /** How long a lease lasts unless renewed: the longest another instance waits after a holder dies. */
  readonly ttlMs: number;
  /** How often the holder renews and reads changes other instances committed, and the others try to take over. */
  readonly pollMs: number;
}

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
  /**
   * Consume only while holding the consumer's lease. Several instances sharing one database then hand each
   * committed change over once between them, not once each; a dead holder's lease is taken over when it expires.
   */
  readonly lease?: ChangeReaderLease;
}

/**
 * Reads a store's change journal (`fhir_changes`) from where its consumer got to: rows written in the same
 * transaction as the change, so only committed writes are ever handed over. `wake()` after a commit; the reader
 * also catches up on start, with anything committed before a crash. Writes to one store commit one at a time
 * (its row lock), so journal order is commit order and a reader never skips a late commit.
 *
 * With a `lease`, the reader consumes only while it holds the consumer's lease, and every `pollMs` renews it (or
 * tries to take it) and reads on, which also picks up changes committed by other instances. The position moves
 * on only under the lease, so if a holder stalls past its expiry and another takes over, the stalled one records
 * nothing; the batch it was handling is handed over again by the new holder (at least once).
 */
export class ChangeReader {
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private position = 0;
  private lastError: unknown;
  private lease: ConsumerLease | undefined;

  constructor(private readonly opts: ChangeReaderOptions) {}

  /** Starts from the recorded position, catching up on anything not yet handled. */
  start(): void {
    const lease = this.opts.lease;
    if (lease && !this.poll) {
      this.poll = setInterval(() => {
        // A long batch (deliveries with retries) must not outlive the lease: renew it while the batch runs.
        if (this.running && this.lease) void this.renew();
        this.wake();
      }, lease.pollMs);
      this.poll.unref();
    }
    this.wake();
  }

  /** True while this reader holds its consumer's lease (always true without a lease). */
  get holdsLease(): boolean {
    return !this.opts.lease || this.lease !== undefined;
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
      // Another instance holds the lease: wait for it to move the recorded position on.
      if (this.position < target && !this.holdsLease) await new Promise((resolve) => setTimeout(resolve, this.opts.lease!.pollMs));
    }
  }

  /**
   * Stops reading; a pass in progress finishes without recording its position (it is handed over again next
   * start). A held lease is given up, so another instance takes over at once.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.poll);
    await this.running;
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await this.opts.repo.releaseConsumerLease(this.opts.consumer, lease).catch((err: unknown) => this.opts.onError?.(err));
  }

  private async renew(): Promise<boolean> {
    const { repo, consumer, lease } = this.opts;
    if (!lease) return true;
    this.lease = await repo.acquireConsumerLease(consumer, lease.holder, lease.ttlMs);
    return this.lease !== undefined;
  }

  private async pass(): Promise<void> {
    try {
      const { repo, consumer } = this.opts;
      for (;;) {
        if (!(await this.renew())) {
          // Another instance consumes; follow its progress (settle() waits on it).
          this.position = Math.max(this.position, await repo.consumerPosition(consumer));
          return;
        }
        // The recorded position, not a copy in memory: a reset or another handle may have moved it on.
        const from = await repo.consumerPosition(consumer);
        this.position = Math.max(this.position, from);
        const changes = await repo.changesSince(from, this.opts.batchSize ?? 100);
        if (changes.length === 0 || this.closed) return;
        await this.opts.handle(changes);
        if (this.closed) return;
        const last = changes.at(-1)!.seq;
        if (!(await repo.recordConsumerPosition(consumer, last, this.lease))) {
          // The lease was lost mid-batch (this instance stalled past its expiry): the new holder goes on from
          // the position recorded before this batch.
          this.lease = undefined;
          return;
        }
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
