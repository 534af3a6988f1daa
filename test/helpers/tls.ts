import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway certificate authority and a server certificate it signed for `localhost` and 127.0.0.1. */
export interface TestTls {
  /** The CA certificate's file: NODE_EXTRA_CA_CERTS for child processes. */
  readonly caFile: string;
  /** PEM texts: the CA certificate, and the server's key and certificate (for https.createServer). */
  readonly ca: string;
  readonly key: string;
  readonly cert: string;
}

/**
 * Makes a CA and a loopback server certificate in `dir` with openssl (P-256 keys, valid for a day), so a test can
 * serve real HTTPS on loopback: nothing is trusted but what the test hands out.
 */
export async function makeTestTls(dir: string): Promise<TestTls> {
  const f = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=SP Link test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  await writeFile(f('server.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1',
    '-extfile', f('server.ext'), '-out', f('server.crt')]);
  const [ca, key, cert] = await Promise.all([readFile(f('ca.crt'), 'utf8'), readFile(f('server.key'), 'utf8'), readFile(f('server.crt'), 'utf8')]);
  return { caFile: f('ca.crt'), ca, key, cert };
}

/** What the test clients call instead of the global fetch. */
export type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch that trusts only `ca` (the test process cannot add a CA to the global fetch once it runs): one request,
 * redirects never followed (a 3xx comes back as it is). Bodies are strings or URLSearchParams.
 */
export function fetchTrusting(ca: string): Fetch {
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => (headers[k] = v));
      let body: string | undefined;
      if (typeof init.body === 'string') body = init.body;
      else if (init.body instanceof URLSearchParams) {
        body = init.body.toString();
        headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
      } else if (init.body != null) return reject(new Error('fetchTrusting: only string and URLSearchParams bodies'));
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = https.request(new URL(url), { method: init.method ?? 'GET', headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          const status = res.statusCode ?? 502;
          const empty = [204, 205, 304].includes(status) || init.method === 'HEAD';
          resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: h }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
}
