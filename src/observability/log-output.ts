import { pino } from 'pino';

type Sink = ReturnType<typeof pino.destination>;

/**
 * Where SP Link's log lines go: standard output, written asynchronously from a bounded buffer, so a terminal or pipe
 * that stops reading (a paused pager, a closed pipe, a full disk behind a redirect) can never block the process. A
 * synchronous writer there spins the main thread on EAGAIN, and then neither requests nor signals are served. When
 * the buffer is full, lines are dropped and counted; when the reader is gone (EPIPE), writing stops.
 *
 * On a terminal, lines are shown for people (`14:03:07 INFO  request completed  GET /app/ 200 12ms`); otherwise each
 * line is the JSON pino writes, for log collectors. `log.format` (auto | json | pretty) overrides the choice.
 */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** At most this much log output waits for a slow reader before lines are dropped. */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has or that the pretty line shows in its own place. */
const SHOWN_APART = new Set(['level', 'time', 'msg', 'pid', 'service', 'hostname', 'req', 'res', 'responseTime', 'reqId', 'err']);

const two = (n: number) => String(n).padStart(2, '0');

/** One pino JSON line as one line for a person: time, level, message, the request, then the other fields. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const t = new Date(typeof o.time === 'number' ? o.time : Date.now());
  const level = (LEVEL_NAMES[Number(o.level)] ?? String(o.level)).padEnd(5);
  const parts = [`${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`, level, String(o.msg ?? '')];
  const req = o.req as { method?: string; url?: string } | undefined;
  const res = o.res as { statusCode?: number } | undefined;
  if (req?.method) parts.push(` ${req.method} ${req.url ?? ''}${res?.statusCode ? ` ${res.statusCode}` : ''}${typeof o.responseTime === 'number' ? ` ${o.responseTime}ms` : ''}`);
  const extra = Object.entries(o)
    .filter(([k, v]) => !SHOWN_APART.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (extra.length) parts.push(` ${extra.join(' ')}`);
  let line = `${parts.join(' ')}\n`;
  const err = o.err as { type?: string; message?: string; stack?: string } | undefined;
  if (err) line += `${(err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`).replace(/^/gm, '    ')}\n`;
  return line;
}

export class LogOutput {
  #sink: Sink | undefined;
  /** Bytes accepted and not yet written. */
  #pending = 0;
  #pretty: boolean;
  #broken = false;
  #dropped = 0;

  constructor(
    private readonly fd = 1,
    format: LogFormat = (process.env.LOG_FORMAT as LogFormat | undefined) ?? 'auto',
    private readonly isTty = (fd === 1 ? process.stdout.isTTY : fd === 2 ? process.stderr.isTTY : false) === true,
  ) {
    this.#pretty = LogOutput.prettyFor(format, this.isTty);
  }

  static prettyFor(format: LogFormat, isTty: boolean): boolean {
    return format === 'pretty' || (format === 'auto' && isTty);
  }

  /** Applies the configured `log.format` once the configuration is loaded. */
  setFormat(format: LogFormat): void {
    this.#pretty = LogOutput.prettyFor(format, this.isTty);
  }

  get pretty(): boolean {
    return this.#pretty;
  }

  /** Lines dropped because the reader was too slow or gone. */
  get dropped(): number {
    return this.#dropped;
  }

  /** pino's destination: one JSON line per call. */
  write(line: string): boolean {
    return this.text(this.#pretty ? prettyLine(line) : line);
  }

  /** Writes text meant for whoever started SP Link (the banner, shutdown notices) in order with the log lines. */
  text(s: string): boolean {
    if (this.#broken) {
      this.#dropped++;
      return false;
    }
    // sonic-boom drops a write that would take its buffer over maxLength (and says so with 'drop', synchronously).
    const dropped = this.#dropped;
    const ok = this.sink().write(s);
    if (this.#dropped === dropped) this.#pending += Buffer.byteLength(s);
    return ok;
  }

  /** Waits until what is buffered has been written, for at most `ms`; never blocks the thread. */
  async drain(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.#sink && !this.#broken && this.#pending > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 10).unref());
    }
  }

  private sink(): Sink {
    if (this.#sink) return this.#sink;
    const sink = pino.destination({ fd: this.fd, sync: false, maxLength: LOG_BUFFER_BYTES, minLength: 0 });
    sink.on('drop', () => this.#dropped++);
    sink.on('write', (n: number) => (this.#pending = Math.max(0, this.#pending - n)));
    sink.on('error', (err: NodeJS.ErrnoException) => {
      // The reader is gone (EPIPE) or the output failed: stop writing; nothing here may stop SP Link.
      this.#broken = true;
      void err;
    });
    this.#sink = sink;
    return sink;
  }
}
