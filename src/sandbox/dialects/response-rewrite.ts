import type { Response } from 'express';

/**
 * Holds a response back until it ends, then lets `edit` change its JSON body and headers before anything is
 * sent: how a dialect layer changes what a server it wraps answers, without touching that server. Non-JSON
 * bodies pass through unchanged.
 */
export function rewriteJsonResponse(res: Response, edit: (body: unknown, res: Response) => unknown): void {
  const chunks: Buffer[] = [];
  let head: unknown[] | undefined;
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => Response;
  const end = res.end.bind(res) as (...a: unknown[]) => Response;
  const push = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
  };
  res.writeHead = ((...args: unknown[]) => {
    head = args;
    return res;
  }) as typeof res.writeHead;
  res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
    push(chunk, encoding);
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') (done as () => void)();
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    push(chunk, encoding);
    // Status and headers given to writeHead take effect first, so `edit` sees them all.
    if (head) {
      const [status, ...rest] = head as [number, ...unknown[]];
      res.statusCode = status;
      const headers = rest.find((x) => typeof x === 'object' && x !== null);
      if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) res.setHeader(String(headers[i]), headers[i + 1] as string);
      else if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v as string);
    }
    let out = Buffer.concat(chunks);
    const type = String(res.getHeader('content-type') ?? '');
    if (out.length > 0 && /json/.test(type)) {
      try {
        const edited = edit(JSON.parse(out.toString('utf8')), res);
        out = Buffer.from(JSON.stringify(edited));
      } catch {
        // Not JSON after all: send what the server wrote.
      }
    } else {
      edit(undefined, res);
    }
    if (out.length > 0 || res.getHeader('content-length') !== undefined) res.setHeader('content-length', String(out.length));
    const done = typeof chunk === 'function' ? chunk : typeof encoding === 'function' ? encoding : cb;
    writeHead(res.statusCode);
    return end(out, done as (() => void) | undefined);
  }) as typeof res.end;
}
