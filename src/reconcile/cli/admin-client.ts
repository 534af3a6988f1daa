import type { Config } from '../../config/schema.js';
import { CliError, EXIT } from '../../errors.js';

/**
 * The CLI talks to the running SP Link instance through its admin API (Bearer admin.token), so it works
 * with the embedded store (one process owns it) and respects the endpoint leases the instance holds.
 */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 600_000,
  ) {}

  static fromConfig(config: Config): AdminClient {
    return new AdminClient(config.server.publicUrl, config.admin.token);
  }

  async request(method: string, path: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(
        `cannot reach SP Link at ${this.baseUrl} (${cause})`,
        'start it with `npm start` (or `sp-link start`) using the same --config, or for PostgreSQL run `sp-link reconcile --direct`',
        EXIT.unavailable,
      );
    }
    if (res.status === 401) {
      throw new CliError(`SP Link at ${this.baseUrl} refused the admin token`, 'run the command with the SP_LINK_ADMIN_TOKEN (admin.token) the instance was started with', EXIT.noPermission);
    }
    return res;
  }

  async json<T>(method: string, path: string): Promise<{ status: number; body: T }> {
    const res = await this.request(method, path);
    return { status: res.status, body: (await res.json()) as T };
  }

  /** Reads an NDJSON stream line by line. */
  async *lines(method: string, path: string): AsyncGenerator<Record<string, unknown>> {
    const res = await this.request(method, path);
    if (!res.ok || !res.body) throw new CliError(`SP Link answered ${res.status}: ${(await res.text()).slice(0, 200)}`, 'see the log of the running instance for the cause');
    const decoder = new TextDecoder();
    let buf = '';
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield JSON.parse(line) as Record<string, unknown>;
      }
    }
  }
}

/** An admin API refusal on stderr as `code: message`; the command exits 1. */
export function fail(body: unknown): number {
  const e = (body as { error?: { code?: string; message?: string } }).error;
  process.stderr.write(`${e?.code ?? 'error'}: ${e?.message ?? JSON.stringify(body)}\n`);
  return 1;
}
