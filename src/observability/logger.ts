import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { LogOutput, type LogFormat } from './log-output.js';

/**
 * Paths removed from every log line. Patient data, tokens and secrets are redacted in the logger itself,
 * so a careless `log.info({ patient }, …)` cannot leak them.
 */
export const REDACT_PATHS: readonly string[] = [
  // Credentials
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...['access_token', 'refresh_token', 'id_token', 'token', 'accessToken', 'refreshToken', 'idToken', 'clientSecret', 'client_secret', 'privateKey', 'password', 'secret', 'client_assertion', 'code_verifier', 'sessionSecret'].flatMap(
    (k) => [k, `*.${k}`],
  ),
  // Patient fields (FHIR Patient and our own shapes)
  ...['name', 'birthDate', 'address', 'telecom', 'nhsNumber', 'given', 'family', 'contact'].flatMap((k) => [k, `*.${k}`]),
  'identifier[*].value',
  '*.identifier[*].value',
  '*.identifier.value',
];

const FHIR_RESOURCE_KEYS = ['resource', 'patient', 'task', 'serviceRequest', 'observation', 'bundle', 'body'];

/** Reduces a FHIR resource to what is safe to log: type, id and version. */
export function summariseResource(v: unknown): unknown {
  if (!v || typeof v !== 'object' || !('resourceType' in v)) return v === undefined ? v : '[redacted]';
  const r = v as { resourceType: unknown; id?: unknown; meta?: { versionId?: unknown }; entry?: unknown[] };
  return {
    resourceType: r.resourceType,
    id: r.id,
    versionId: r.meta?.versionId,
    ...(Array.isArray(r.entry) ? { entries: r.entry.length } : {}),
  };
}

/**
 * Keeps the path and the names of query parameters, dropping every value: query strings carry patient ids,
 * NHS numbers (`identifier=`), launch codes and OAuth `code`/`state`.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = [...new URLSearchParams(url.slice(q + 1)).keys()];
  return `${url.slice(0, q)}?${[...new Set(names)].map((n) => `${n}=[redacted]`).join('&')}`;
}

export function createLogger(opts: { level?: LevelWithSilent; destination?: pino.DestinationStream } = {}): Logger {
  const options: pino.LoggerOptions = {
    // `service`, not pino's `name`: a top-level `name` is a redacted patient field.
    base: { service: 'sp-link', pid: process.pid },
    level: opts.level ?? (process.env.LOG_LEVEL as LevelWithSilent | undefined) ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: {
      ...Object.fromEntries(FHIR_RESOURCE_KEYS.map((k) => [k, summariseResource])),
      url: (u: string) => redactUrl(u),
      err: pino.stdSerializers.err,
    },
  };
  return pino(options, opts.destination ?? logOutput);
}

/** Standard output of this process, for the log and for what SP Link tells whoever started it (src/observability/log-output.ts). */
export const logOutput = new LogOutput(1);

/** The process logger. Use `logger.child({ module: '…' })` per module; per request use `req.log`. */
export const logger: Logger = createLogger();

/** Applies the configured `log.format` (auto: readable on a terminal, JSON otherwise). */
export function setLogFormat(format: LogFormat): void {
  logOutput.setFormat(format);
}

/** Applies the configured level (config `log.level`) after config is loaded. */
export function setLogLevel(level: LevelWithSilent): void {
  logger.level = level;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes, metrics scrapes and static files: logged at debug when they succeed, so the info log shows what people did. */
const ROUTINE_PATH = /^\/(healthz|readyz|livez|metrics|favicon\.ico)$|\/(assets|nhsuk)\/|\.(js|css|map|png|svg|ico|woff2?)$/;

export function requestLogLevel(path: string, status: number, err?: unknown): 'error' | 'warn' | 'info' | 'debug' {
  if (err || status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return ROUTINE_PATH.test(path) ? 'debug' : 'info';
}

/**
 * pino-http middleware: one child logger per request (`req.log`, carrying `reqId`), one line per response.
 * Logged URLs have their query values removed; headers are not logged at all.
 */
export function createHttpLogger(base: Logger = logger): HttpLogger {
  return pinoHttp({
    logger: base,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    customLogLevel: (req, res, err) => requestLogLevel(((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/').split('?')[0]!, res.statusCode, err),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customAttributeKeys: { reqId: 'reqId' },
    // req.log carries only `reqId`; the full (redacted) request is logged once, on the response line.
    quietReqLogger: true,
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    wrapSerializers: false,
  });
}

type LibraryLevel = 'debug' | 'info' | 'warn' | 'error';
export type LibraryLogger = Record<LibraryLevel, (message: string | Error, err?: Error) => void>;

/**
 * A logger for a library that would otherwise write plain text to the console (node-cron warns of overlapping and
 * missed runs that way): its lines join SP Link's own log, structured and redacted, tagged with `library`.
 */
export function libraryLogger(log: Logger, library: string): LibraryLogger {
  const child = log.child({ library });
  const at = (level: LibraryLevel) => (message: string | Error, err?: Error) => {
    if (message instanceof Error) child[level]({ err: message }, message.message);
    else if (err) child[level]({ err }, message);
    else child[level](message);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
