import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** Reads `NNN_name.sql` files in version order; refuses duplicates and badly named files. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Map<number, string>();
  const out: Migration[] = [];
  for (const file of files) {
    const m = FILE_NAME.exec(file);
    if (!m) throw new Error(`migration file "${file}" must be named NNN_lower_snake_name.sql, e.g. 021_outbox.sql`);
    const version = Number(m[1]);
    const clash = seen.get(version);
    if (clash) throw new Error(`migrations "${clash}" and "${file}" share version ${m[1]}; renumber one of them`);
    seen.set(version, file);
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    out.push({ version, name: m[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

/**
 * Applies pending migrations in one transaction, recorded in `schema_migrations`. On PostgreSQL an
 * advisory transaction lock serialises concurrent starters; the second one finds nothing to do.
 * A recorded migration whose file has since changed is refused: migrations are immutable once applied.
 */
export async function migrate(db: Db, migrations?: Migration[]): Promise<{ applied: number[] }> {
  const all = migrations ?? (await loadMigrations());
  return db.transaction(async (tx) => {
    // Key per schema: two processes migrating one schema queue up; other schemas are not blocked.
    if (tx.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sp-link-migrations:${tx.schema}`]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations',
    );
    const done = new Map(rows.map((r) => [r.version, r]));
    const applied: number[] = [];
    for (const m of all) {
      const prev = done.get(m.version);
      if (prev) {
        if (prev.checksum !== m.checksum) {
          throw new Error(
            `migration ${String(m.version).padStart(3, '0')}_${m.name}.sql changed after it was applied; ` +
              'add a new migration instead of editing an applied one',
          );
        }
        continue;
      }
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      applied.push(m.version);
    }
    return { applied };
  });
}
