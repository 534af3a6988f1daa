import type { Config } from '../../config/schema.js';

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
    return new AdminClient(config.server.publicUrl.replace(/\/+$/, ''), config.admin.token);
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
      throw new Error(`cannot reach SP Link at ${this.baseUrl} (${(err as Error).message}); is it running? ('sp-link reconcile --direct' works without it)`);
    }
    if (res.status === 401) throw new Error('the admin API refused the token: check admin.token in the config');
    return res;
  }

  async json<T>(method: string, path: string): Promise<{ status: number; body: T }> {
    const res = await this.request(method, path);
    return { status: res.status, body: (await res.json()) as T };
  }

  /** Reads an NDJSON stream line by line. */
  async *lines(method: string, path: string): AsyncGenerator<Record<string, unknown>> {
    const res = await this.request(method, path);
    if (!res.ok || !res.body) throw new Error(`admin API answered ${res.status}: ${await res.text()}`);
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
