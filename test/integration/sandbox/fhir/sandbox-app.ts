import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ehrSeed, lwSeed, type SandboxBaseUrls } from '../../../../src/sandbox/demo/index.js';
import { createSandboxFhirServer, type SandboxFhirServer, type SandboxFhirServerOptions } from '../../../../src/sandbox/fhir/index.js';
import { openDb, type Db } from '../../../../src/store/db.js';

export interface SandboxApp {
  readonly urls: SandboxBaseUrls;
  readonly ehr: SandboxFhirServer;
  readonly lw: SandboxFhirServer;
  close(): Promise<void>;
}

type Extra = Partial<Pick<SandboxFhirServerOptions, 'authorize' | 'restHook' | 'onChange'>>;

/**
 * Both sandbox servers with the demo data on one express app, on an ephemeral loopback port. With `dataDir`,
 * their stores live in an embedded database there (kept across restarts) and `ehr.json` / `lw.json` there are
 * imported on first start; with `db`, in that database (the caller closes it); without either, each server has
 * an in-memory database of its own.
 */
export async function startSandboxApp(opts: { dataDir?: string; db?: Db; ehr?: Extra; lw?: Extra } = {}): Promise<SandboxApp> {
  const app = express();
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const urls = { ehr: `http://127.0.0.1:${port}/sandbox/ehr/fhir`, lw: `http://127.0.0.1:${port}/sandbox/lw/fhir` };
  let ehr: SandboxFhirServer | undefined;
  let lw: SandboxFhirServer;
  let ownDb: Db | undefined;
  let db: Db | undefined = opts.db;
  try {
    ownDb = opts.dataDir ? await openDb({ dataDir: opts.dataDir }) : undefined;
    db ??= ownDb;
    ehr = await createSandboxFhirServer({
      name: 'ehr',
      baseUrl: urls.ehr,
      db,
      seed: () => ehrSeed(urls),
      ...(opts.dataDir ? { dataFile: `${opts.dataDir}/ehr.json` } : {}),
      ...opts.ehr,
    });
    lw = await createSandboxFhirServer({
      name: 'lw',
      baseUrl: urls.lw,
      db,
      seed: () => lwSeed(urls),
      ...(opts.dataDir ? { dataFile: `${opts.dataDir}/lw.json` } : {}),
      ...opts.lw,
    });
  } catch (err) {
    await ehr?.close();
    await ownDb?.close();
    server.close();
    throw err;
  }
  app.use('/sandbox/ehr/fhir', ehr.router);
  app.use('/sandbox/lw/fhir', lw.router);
  return {
    urls,
    ehr,
    lw,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ehr.close();
      await lw.close();
      await ownDb?.close();
    },
  };
}

export interface FhirReply<T = Json> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Parsed FHIR JSON as tests read it: shapes vary per assertion, so the body stays loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A FHIR JSON request; returns status, headers and the parsed body (undefined when empty). */
export async function fhir<T = Json>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<FhirReply<T>> {
  const res = await fetch(url, {
    method,
    headers: { accept: 'application/fhir+json', ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Total matches of a search (one `_count=0` request). */
export async function countOf(url: string): Promise<number> {
  const sep = url.includes('?') ? '&' : '?';
  const { body } = await fhir<{ total: number }>('GET', `${url}${sep}_count=0`);
  return body.total;
}
