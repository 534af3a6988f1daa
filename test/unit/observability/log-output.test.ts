import { expect } from 'chai';
import { LogOutput, prettyLine } from '../../../src/observability/log-output.js';
import { requestLogLevel } from '../../../src/observability/logger.js';

describe('observability/log-output', () => {
  it('is readable on a terminal and JSON otherwise, unless log.format says which', () => {
    expect(LogOutput.prettyFor('auto', true)).to.equal(true);
    expect(LogOutput.prettyFor('auto', false)).to.equal(false);
    expect(LogOutput.prettyFor('json', true)).to.equal(false);
    expect(LogOutput.prettyFor('pretty', false)).to.equal(true);
  });

  it('shows a request line as time, level, message, method, path, status and duration, then the other fields', () => {
    const time = new Date(2026, 11, 1, 14, 3, 7).getTime();
    const line = prettyLine(JSON.stringify({ level: 30, time, pid: 1, service: 'sp-link', reqId: 'r1', req: { id: 'r1', method: 'GET', url: '/app/' }, res: { statusCode: 200 }, responseTime: 12, msg: 'request completed' }));
    expect(line).to.equal('14:03:07 INFO  request completed  GET /app/ 200 12ms\n');
    const warn = prettyLine(JSON.stringify({ level: 40, time, module: 'reconcile', endpoint: 'lw', msg: 'poll failed' }));
    expect(warn).to.equal('14:03:07 WARN  poll failed  module=reconcile endpoint=lw\n');
  });

  it('indents an error’s stack under its line', () => {
    const line = prettyLine(JSON.stringify({ level: 50, time: 0, msg: 'request failed', err: { type: 'TypeError', message: 'x', stack: 'TypeError: x\n    at f (a.ts:1:1)' } }));
    expect(line.split('\n').slice(1, 3)).to.deep.equal(['    TypeError: x', '        at f (a.ts:1:1)']);
  });

  it('passes through a line that is not JSON', () => {
    expect(prettyLine('plain text')).to.equal('plain text\n');
  });

  it('logs probes, metrics scrapes and static files at debug when they succeed; failures keep their level', () => {
    for (const p of ['/healthz', '/readyz', '/metrics', '/app/assets/index-abc.js', '/workspace/assets/nhsuk-frontend.min.css', '/app/nhsuk/logo.svg']) expect(requestLogLevel(p, 200), p).to.equal('debug');
    expect(requestLogLevel('/app/api/referrals', 201)).to.equal('info');
    expect(requestLogLevel('/readyz', 503)).to.equal('error');
    expect(requestLogLevel('/app/assets/missing.js', 404)).to.equal('warn');
  });
});
