import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import type { DeadLetterPage, ReplayAllResult } from '../http/admin-router.js';
import type { ReplayResult } from '../replay.js';
import { AdminClient, fail } from './admin-client.js';

const USAGE = `Usage: sp-link dead-letters list [--status open|resolved|all] [--endpoint ID] [--limit N]
       sp-link dead-letters show <id>
       sp-link dead-letters replay <id>
       sp-link dead-letters replay --all [--endpoint ID]
`;

/** `sp-link dead-letters …` through the running instance's admin API. */
export async function runDeadLettersCommand(args: string[], configFile: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { status: { type: 'string' }, endpoint: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  const [sub, idArg] = positionals;
  if (values.help || !sub) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const api = AdminClient.fromConfig(await loadConfig(configFile));
  const out = (o: unknown) => process.stdout.write(`${typeof o === 'string' ? o : JSON.stringify(o, null, 2)}\n`);
  switch (sub) {
    case 'list': {
      const q = new URLSearchParams({ status: values.status ?? 'open', limit: values.limit ?? '100', ...(values.endpoint ? { endpoint: values.endpoint } : {}) });
      const { status, body } = await api.json<DeadLetterPage>('GET', `/admin/api/dead-letters?${q}`);
      if (status !== 200) return fail(body);
      if (values.json) out(body.items);
      else if (body.items.length === 0) out('no dead letters');
      else for (const d of body.items) out(`#${d.id} ${d.status} ${d.kind} ${d.endpointId} ${d.sourceRef} ${d.errorCode} attempts=${d.attempts} last=${d.lastSeen}\n    ${d.reason}`);
      return 0;
    }
    case 'show': {
      if (!idArg) return usage();
      const { status, body } = await api.json('GET', `/admin/api/dead-letters/${encodeURIComponent(idArg)}`);
      if (status !== 200) return fail(body);
      out(body);
      return 0;
    }
    case 'replay': {
      if (values.all) {
        const q = values.endpoint ? `?endpoint=${encodeURIComponent(values.endpoint)}` : '';
        const { status, body } = await api.json<ReplayAllResult>('POST', `/admin/api/dead-letters/replay${q}`);
        if (status !== 200) return fail(body);
        out(body);
        return body.resolved === body.replayed ? 0 : 1;
      }
      if (!idArg) return usage();
      const { status, body } = await api.json<Partial<ReplayResult>>('POST', `/admin/api/dead-letters/${encodeURIComponent(idArg)}/replay`);
      if (status !== 200) return fail(body);
      out(body);
      return body.resolved ? 0 : 1;
    }
    default:
      return usage();
  }
}

function usage(): number {
  process.stderr.write(USAGE);
  return 2;
}
