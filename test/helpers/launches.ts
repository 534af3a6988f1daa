import { SessionCipher } from '../../src/store/session-cipher.js';
import type { Db } from '../../src/store/db.js';
import type { GpLaunch } from '../../src/smart/launch-store.js';

/** Reads and writes sealed GP launch rows (`gp_launches`: the GP's tokens and launch context) the way SP Link does. */
export function launchRows(db: Db, sessionSecret: string) {
  const cipher = new SessionCipher(sessionSecret);
  return {
    async all(): Promise<{ handle: string; data: GpLaunch }[]> {
      const { rows } = await db.query<{ handle: string; data: unknown }>('SELECT handle, data FROM gp_launches');
      return rows.flatMap((r) => {
        const data = cipher.open<GpLaunch>(r.data);
        return data ? [{ handle: r.handle, data }] : [];
      });
    },
    async read(handle: string): Promise<GpLaunch | undefined> {
      const { rows } = await db.query<{ data: unknown }>('SELECT data FROM gp_launches WHERE handle = $1', [handle]);
      return rows[0] ? cipher.open<GpLaunch>(rows[0].data) : undefined;
    },
    async write(handle: string, data: GpLaunch): Promise<void> {
      await db.query('UPDATE gp_launches SET data = $2 WHERE handle = $1', [handle, JSON.stringify(cipher.seal(data))]);
    },
  };
}
