import type { SessionData } from 'express-session';
import { SessionCipher } from '../../src/store/session-cipher.js';
import type { Db } from '../../src/store/db.js';

/** Reads and writes sealed session rows the way SP Link does, for tests that inspect server-side session state. */
export function sessionRows(db: Db, sessionSecret: string) {
  const cipher = new SessionCipher(sessionSecret);
  return {
    async all(): Promise<{ sid: string; data: SessionData }[]> {
      const { rows } = await db.query<{ sid: string; data: unknown }>('SELECT sid, data FROM sessions');
      return rows.flatMap((r) => {
        const data = cipher.open<SessionData>(r.data);
        return data ? [{ sid: r.sid, data }] : [];
      });
    },
    async read(sid: string): Promise<SessionData | undefined> {
      const { rows } = await db.query<{ data: unknown }>('SELECT data FROM sessions WHERE sid = $1', [sid]);
      return rows[0] ? cipher.open<SessionData>(rows[0].data) : undefined;
    },
    async write(sid: string, data: SessionData): Promise<void> {
      await db.query('UPDATE sessions SET data = $2 WHERE sid = $1', [sid, JSON.stringify(cipher.seal(data))]);
    },
  };
}
