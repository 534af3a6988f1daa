import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { substituteEnv } from './env-substitute.js';
import { configSchema, type Config } from './schema.js';
import { exampleFor } from './examples.js';

export interface ConfigProblem {
  path: string;
  line?: number;
  message: string;
  example?: string;
}

/** Raised when configuration is invalid; `problems` lists every problem found, not just the first. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `Invalid configuration in ${file} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems
          .map(
            (p) =>
              `  - ${p.path || '(root)'}${p.line ? ` (line ${p.line})` : ''}: ${p.message}` +
              (p.example ? `\n      example: ${p.example}` : ''),
          )
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Loads, substitutes, validates and freezes a config file. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      // The first error is the cause; the rest are usually its echoes.
      doc.errors.slice(0, 1).map((e) => ({
        path: '',
        line: e.linePos?.[0]?.line,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
        example: text.includes('${') ? "quote values holding ${VAR} inside { } or [ ], e.g. auth: { type: bearer, token: '${EHR_TOKEN}' }" : undefined,
      })),
    );
  }
  const missing: { name: string; path: (string | number)[] }[] = [];
  const raw = substituteEnv(doc.toJS() ?? {}, env, [], missing);
  // Environment overrides that operators expect to work without editing the file.
  const withEnv = applyEnvOverrides(raw, env);
  const problems: ConfigProblem[] = missing.map((m) => ({
    path: m.path.join('.'),
    line: lineOf(doc, text, m.path),
    message: `environment variable ${m.name} is not set`,
    example: `export ${m.name}=...`,
  }));
  const result = configSchema.safeParse(withEnv);
  if (!result.success) {
    // A missing variable already explains any schema complaint at the same path.
    const explained = new Set(problems.map((p) => p.path));
    problems.push(...result.error.issues.map((i) => toProblem(doc, text, i)).filter((p) => !explained.has(p.path)));
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return deepFreeze(result.data as Config);
}

function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const cfg = structuredClone(raw) as Record<string, Record<string, unknown> | undefined>;
  if (env.PORT) cfg.server = { ...(cfg.server ?? {}), port: env.PORT };
  if (env.SP_LINK_DATA_DIR) (cfg as Record<string, unknown>).dataDir = env.SP_LINK_DATA_DIR;
  if (env.DATABASE_URL) cfg.store = { ...(cfg.store ?? {}), databaseUrl: env.DATABASE_URL };
  return cfg;
}

function toProblem(doc: Document, text: string, issue: z.core.$ZodIssue): ConfigProblem {
  const p = issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
  const dotted = p.join('.');
  let message = issue.message;
  if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = `is required (${message})`;
  if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling against docs/CONFIGURATION.md`;
  return { path: dotted, line: lineOf(doc, text, p), message, example: exampleFor(p) };
}

/** Best-effort line number of a path in the YAML source, walking up to the nearest existing node. */
function lineOf(doc: Document, text: string, p: (string | number)[]): number | undefined {
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    const target = n === 0 ? doc.contents : node;
    if (target && typeof target === 'object' && 'range' in target && target.range) {
      if (n > 0 || isMap(target) || isSeq(target)) return text.slice(0, target.range[0]).split('\n').length;
    }
  }
  return undefined;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
