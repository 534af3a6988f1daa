/** A FIFO async mutex: callers run one at a time, in arrival order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The chain must survive a rejected task, or every later caller would fail too.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
