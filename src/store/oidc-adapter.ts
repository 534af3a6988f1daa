import { createHash } from 'node:crypto';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { Db } from './db.js';
import { SessionCipher } from './session-cipher.js';

/** Models whose records belong to a grant: `revokeByGrantId` removes them (as oidc-provider's memory adapter does). */
const GRANT_BOUND = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

export interface OidcStoreOptions {
  /** `server.sessionSecret`: payloads are sealed with a key derived from it (its own HKDF purpose). */
  secret: string;
  /** How often expired rows are deleted (ms); 0 disables the timer. Default 10 min. */
  pruneIntervalMs?: number;
}

/** The lookup key of an oidc-provider id, uid or user code: for tokens and sessions the id is the secret itself. */
const keyOf = (value: string): string => createHash('sha256').update(value).digest('base64url');

interface Row {
  payload: unknown;
  consumed_at: Date | string | null;
}

/**
 * oidc-provider storage on SP Link's Db (table `oidc_records`), so grants, refresh tokens and sessions of the
 * sandbox's authorization servers and identity provider survive a restart and are shared by instances on one
 * database. Payloads hold tokens, so they are sealed at rest (AES-256-GCM); ids are stored only as hashes.
 * Expired rows are never returned and are pruned on a timer.
 *
 * The Db may still be opening when providers are built (system.ts opens it in parallel with the sandbox):
 * every operation waits for it, and nothing calls the adapter before the app answers requests anyway.
 */
export class OidcStore {
  readonly #db: Promise<Db>;
  readonly #cipher: SessionCipher;
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Db | Promise<Db>, opts: OidcStoreOptions) {
    this.#db = Promise.resolve(db);
    this.#cipher = new SessionCipher(opts.secret, 'sp-link oidc-provider data at rest v1');
    const every = opts.pruneIntervalMs ?? 10 * 60 * 1000;
    if (every > 0) {
      this.#timer = setInterval(() => void this.pruneExpired().catch(() => undefined), every);
      this.#timer.unref();
    }
  }

  /** oidc-provider's `adapter` option for one provider; `namespace` keeps providers sharing the table apart. */
  adapterFactory(namespace: string, opts: { grantBound?: readonly string[] } = {}): AdapterFactory {
    const grantBound = new Set([...GRANT_BOUND, ...(opts.grantBound ?? [])]);
    return (model: string) => new DbOidcAdapter(this, namespace, model, grantBound.has(model));
  }

  /** Deletes expired rows; returns how many. */
  async pruneExpired(): Promise<number> {
    return (await (await this.#db).query('DELETE FROM oidc_records WHERE expires_at <= now()')).rowCount;
  }

  /** Stops the prune timer (call before closing the Db). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** @internal */
  db(): Promise<Db> {
    return this.#db;
  }

  /** @internal */
  seal(payload: AdapterPayload): string {
    return JSON.stringify(this.#cipher.seal(payload));
  }

  /** @internal The payload, or undefined when the row cannot be opened with this key (other secret, tampered). */
  open(row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    const payload = this.#cipher.open<AdapterPayload>(row.payload);
    if (!payload) return undefined;
    if (row.consumed_at !== null) payload.consumed = Math.floor(new Date(row.consumed_at).getTime() / 1000);
    return payload;
  }
}

const LIVE = '(expires_at IS NULL OR expires_at > now())';

/** One oidc-provider model (`AccessToken`, `Session`, …) of one provider; the full Adapter contract. */
class DbOidcAdapter implements Adapter {
  constructor(
    private readonly store: OidcStore,
    private readonly namespace: string,
    private readonly model: string,
    private readonly grantBound: boolean,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const db = await this.store.db();
    const consumed = typeof payload.consumed === 'number' ? new Date(payload.consumed * 1000) : null;
    await db.query(
      `INSERT INTO oidc_records (namespace, model, key, payload, grant_id, uid_key, user_code_key, consumed_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $9::float8) END)
       ON CONFLICT (namespace, model, key) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
         uid_key = EXCLUDED.uid_key, user_code_key = EXCLUDED.user_code_key, consumed_at = EXCLUDED.consumed_at,
         expires_at = EXCLUDED.expires_at`,
      [
        this.namespace,
        this.model,
        keyOf(id),
        this.store.seal(payload),
        this.grantBound && typeof payload.grantId === 'string' ? payload.grantId : null,
        typeof payload.uid === 'string' ? keyOf(payload.uid) : null,
        typeof payload.userCode === 'string' ? keyOf(payload.userCode) : null,
        consumed,
        typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? expiresIn : null,
      ],
    );
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.findBy('key', id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findBy('uid_key', uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findBy('user_code_key', userCode);
  }

  async consume(id: string): Promise<void> {
    const db = await this.store.db();
    await db.query(`UPDATE oidc_records SET consumed_at = now() WHERE namespace = $1 AND model = $2 AND key = $3`, [this.namespace, this.model, keyOf(id)]);
  }

  async destroy(id: string): Promise<void> {
    const db = await this.store.db();
    await db.query('DELETE FROM oidc_records WHERE namespace = $1 AND model = $2 AND key = $3', [this.namespace, this.model, keyOf(id)]);
  }

  /** Every grant-bound record of the grant, whatever its model (the grant itself is destroyed by oidc-provider). */
  async revokeByGrantId(grantId: string): Promise<void> {
    const db = await this.store.db();
    await db.query('DELETE FROM oidc_records WHERE namespace = $1 AND grant_id = $2', [this.namespace, grantId]);
  }

  private async findBy(column: 'key' | 'uid_key' | 'user_code_key', value: string): Promise<AdapterPayload | undefined> {
    if (typeof value !== 'string' || !value) return undefined;
    const db = await this.store.db();
    const { rows } = await db.query<Row>(
      `SELECT payload, consumed_at FROM oidc_records WHERE namespace = $1 AND model = $2 AND ${column} = $3 AND ${LIVE} LIMIT 1`,
      [this.namespace, this.model, keyOf(value)],
    );
    return this.store.open(rows[0]);
  }
}
