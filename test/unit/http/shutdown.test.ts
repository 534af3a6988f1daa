import { expect } from 'chai';
import express from 'express';
import { installShutdown } from '../../../src/http/shutdown.js';
import { createLogger } from '../../../src/observability/logger.js';
import { listen } from '../../helpers/http.js';

describe('http/shutdown', () => {
  it('lets an in-flight request finish, refuses new connections, then runs closers in order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const app = express();
    app.get('/slow', (_req, res) => {
      void gate.then(() => res.send('finished'));
    });
    const srv = await listen(app);
    const order: string[] = [];
    const handle = installShutdown({
      server: srv.server,
      signals: [],
      exit: false,
      logger: createLogger({ level: 'silent' }),
      closers: [
        { name: 'reconciler', close: async () => void order.push('reconciler') },
        { name: 'db', close: async () => void order.push('db') },
      ],
    });
    const inflight = fetch(`${srv.url}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const done = handle.shutdown('test');
    await new Promise((r) => setTimeout(r, 20));
    expect(order).to.deep.equal([]);
    let refused: unknown;
    await fetch(`${srv.url}/slow`).catch((e: unknown) => (refused = e));
    expect(refused, 'new connection refused').to.be.instanceOf(Error);
    release();
    expect(await inflight).to.equal('finished');
    await done;
    expect(order).to.deep.equal(['reconciler', 'db']);
    expect(srv.server.listening).to.equal(false);
    handle.dispose();
  });

  it('cuts connections still busy after the drain period', async () => {
    const app = express();
    app.get('/hang', () => undefined);
    const srv = await listen(app);
    const handle = installShutdown({ server: srv.server, signals: [], exit: false, drainMs: 100, logger: createLogger({ level: 'silent' }) });
    const hung = fetch(`${srv.url}/hang`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 50));
    await handle.shutdown('test');
    expect(await hung).to.equal('cut');
    handle.dispose();
  });
});
