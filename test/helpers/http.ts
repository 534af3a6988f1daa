import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';

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

/** A pino destination collecting parsed lines. */
export function memoryDestination(): { lines: Record<string, unknown>[]; write: (s: string) => void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) };
}
