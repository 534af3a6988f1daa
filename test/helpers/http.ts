import { createServer, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Bundle, Resource, Task } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../src/referral-model/codes.js';
import { eventually } from './eventually.js';
import { devAuthHeader, type SandboxServer } from './sandbox-tokens.js';

/** Starts `app` on an ephemeral port; returns its base URL and a close function. */
export async function listen(app: Express): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port the OS says is free right now (for a process that must be told its port before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A pino destination collecting parsed lines. */
export function memoryDestination(): { lines: Record<string, unknown>[]; write: (s: string) => void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) };
}

/** The JSON answer to a FHIR call; throws with the method, URL, status and body on anything but 2xx. */
export async function fhirJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/fhir+json');
  const res = await fetch(url, { ...init, headers });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** What `sandboxFhir` needs of a running test system: where it runs and the FHIR bases it is configured with. */
export interface SandboxSystem {
  readonly url: string;
  readonly config: { readonly tenants: readonly { readonly ehr: { readonly fhirBase: string } }[]; readonly linkWorkerEndpoints: readonly { readonly fhirBase: string }[] };
}

export interface SandboxFhir {
  /** JSON of `path` at the system's sandbox EHR or link-worker FHIR server (relative to its base, or absolute), as the developer client. */
  fhir<T>(server: SandboxServer, path: string, init?: RequestInit): Promise<T>;
  /** The resources of a search Bundle. */
  search<T extends Resource>(server: SandboxServer, path: string): Promise<T[]>;
  /**
   * The referral's Task at the sandbox link-worker server once the outbox has delivered it (waits for it; `until`
   * narrows what counts, e.g. pointed at the GP record). `between` runs between looks, e.g. an outbox pass.
   */
  deliveredTask(referralId: string, o?: { until?: (t: Task) => boolean; between?: () => Promise<unknown>; timeoutMs?: number }): Promise<Task>;
}

/**
 * Calls the sandbox FHIR servers of the test system `system()` returns (a function, as suites start theirs in
 * `before`), with one developer token per system and server.
 *
 *   const { fhir, search } = sandboxFhir(() => sys);
 *   const sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${id}`);
 */
export function sandboxFhir(system: () => SandboxSystem): SandboxFhir {
  const tokens = new WeakMap<SandboxSystem, Map<SandboxServer, Promise<{ authorization: string }>>>();
  const auth = (sys: SandboxSystem, server: SandboxServer) => {
    const mine = tokens.get(sys) ?? new Map<SandboxServer, Promise<{ authorization: string }>>();
    tokens.set(sys, mine);
    let header = mine.get(server);
    if (!header) {
      header = devAuthHeader(sys.url, server);
      header.catch(() => mine.delete(server)); // a failed token request is asked again next time
      mine.set(server, header);
    }
    return header;
  };
  const fhir = async <T>(server: SandboxServer, path: string, init: RequestInit = {}): Promise<T> => {
    const sys = system();
    const base = server === 'ehr' ? sys.config.tenants[0]!.ehr.fhirBase : sys.config.linkWorkerEndpoints[0]!.fhirBase;
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', (await auth(sys, server)).authorization);
    return fhirJson<T>(/^https?:\/\//.test(path) ? path : `${base}/${path}`, { ...init, headers });
  };
  const search = async <T extends Resource>(server: SandboxServer, path: string): Promise<T[]> =>
    ((await fhir<Bundle<T>>(server, path)).entry ?? []).map((e) => e.resource!);
  const deliveredTask = (referralId: string, o: { until?: (t: Task) => boolean; between?: () => Promise<unknown>; timeoutMs?: number } = {}) =>
    eventually(
      async () => (await search<Task>('lw', `Task?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${referralId}`)}`)).find((t) => !o.until || o.until(t)),
      `the Task of ${referralId} at the link-worker server`,
      { ...(o.between ? { between: o.between } : {}), timeoutMs: o.timeoutMs ?? 60_000, intervalMs: 250 },
    );
  return { fhir, search, deliveredTask };
}
