/**
 * Asks `probe` again until it answers (anything but undefined, null or false) and returns that answer: for what the
 * system does in the background (the outbox delivering a Task, the reconciler writing back). `between` runs before
 * each new try (a page reload, an outbox pass). Fails naming `what` it waited for; never a timing assertion.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  o: { timeoutMs?: number; intervalMs?: number; between?: () => Promise<unknown> } = {},
): Promise<T> {
  const until = Date.now() + (o.timeoutMs ?? 90_000);
  for (;;) {
    const answer = await probe();
    if (answer !== undefined && answer !== null && answer !== false) return answer;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 500));
    await o.between?.();
  }
}
