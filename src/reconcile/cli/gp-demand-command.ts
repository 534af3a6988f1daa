import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import type { GpDemandFailedPage, GpDemandRequeueResult } from '../http/admin-router.js';
import { AdminClient, fail } from './admin-client.js';

const USAGE = `Usage: sp-link gp-demand failed [--tenant ID] [--limit N] [--json]
       sp-link gp-demand requeue <key> [--sweep]
       sp-link gp-demand requeue --all [--tenant ID] [--sweep]

Referrals the GP demand sweep gave up on (after 8 attempts, or at once when the EHR refused SP Link), and putting
them back in the queue once the cause is fixed; --sweep counts them at once instead of at the next scheduled sweep.
`;

/**
 * `sp-link gp-demand …` through the running instance's admin API, as dead letters are replayed: the instance owns the
 * queue (and, with the embedded store, the only connection to it) and audits each requeue.
 */
export async function runGpDemandCommand(args: string[], configFile: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { tenant: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' }, sweep: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  const [sub, key] = positionals;
  if (values.help || !sub) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const out = (o: unknown) => process.stdout.write(`${typeof o === 'string' ? o : JSON.stringify(o, null, 2)}\n`);
  switch (sub) {
    case 'failed': {
      const api = AdminClient.fromConfig(await loadConfig(configFile));
      const q = new URLSearchParams({ limit: values.limit ?? '100', ...(values.tenant ? { tenant: values.tenant } : {}) });
      const { status, body } = await api.json<GpDemandFailedPage>('GET', `/admin/api/gp-demand/failed?${q}`);
      if (status !== 200) return fail(body);
      if (values.json) out(body.items);
      else if (body.items.length === 0) out('no referrals the GP demand sweep gave up on');
      else for (const r of body.items) out(`${r.referralKey} ${r.tenantId} attempts=${r.attempts} failed=${r.failedAt}\n    ${r.cause}`);
      return 0;
    }
    case 'requeue': {
      // One by key, or every one when asked for in so many words.
      if (key ? values.all : !values.all) return usage();
      const api = AdminClient.fromConfig(await loadConfig(configFile));
      const q = new URLSearchParams({ ...(key ? { key } : { all: 'true' }), ...(values.tenant ? { tenant: values.tenant } : {}), ...(values.sweep ? { sweep: 'true' } : {}) });
      const { status, body } = await api.json<GpDemandRequeueResult>('POST', `/admin/api/gp-demand/requeue?${q}`);
      if (status !== 200) return fail(body);
      out(body);
      // A sweep that gave up on some again: the cause is not fixed yet (`gp-demand failed` says what it is).
      return body.sweep && body.sweep.failed > 0 ? 1 : 0;
    }
    default:
      return usage();
  }
}

function usage(): number {
  process.stderr.write(USAGE);
  return 2;
}
