import { expect } from 'chai';
import express from 'express';
import { createHttpLogger, createLogger, libraryLogger, redactUrl, summariseResource } from '../../../src/observability/logger.js';
import { listen, memoryDestination } from '../../helpers/http.js';

describe('observability/logger', () => {
  it('redacts tokens, cookies, secrets and patient fields wherever they are logged', () => {
    const dest = memoryDestination();
    const log = createLogger({ level: 'info', destination: dest });
    log.info(
      {
        access_token: 'eyJ.secret',
        tokens: { refresh_token: 'r-secret', id_token: 'id-secret' },
        headers: { authorization: 'Bearer abc', cookie: 'sid=1' },
        config: { clientSecret: 'cs', privateKey: 'pk' },
        nhsNumber: '9990001234',
        p: { name: [{ family: 'Smith' }], birthDate: '1950-01-01', address: [{ line: ['1 High St'] }], telecom: [{ value: '07700 900123' }], identifier: [{ system: 'x', value: '9990001234' }] },
        taskId: 'task-1',
      },
      'probe',
    );
    const text = JSON.stringify(dest.lines[0]);
    for (const leaked of ['eyJ.secret', 'r-secret', 'id-secret', 'Bearer abc', 'sid=1', '"cs"', '"pk"', '9990001234', 'Smith', '1950-01-01', 'High St', '07700 900123']) {
      expect(text, leaked).to.not.contain(leaked);
    }
    expect(dest.lines[0]!.taskId).to.equal('task-1');
    expect(dest.lines[0]!.service).to.equal('sp-link');
  });

  it('logs FHIR resources only as type, id and version', () => {
    const dest = memoryDestination();
    const log = createLogger({ level: 'info', destination: dest });
    log.info({ resource: { resourceType: 'Patient', id: 'p1', meta: { versionId: '2' }, name: [{ family: 'Jones' }], gender: 'female' } }, 'x');
    expect(dest.lines[0]!.resource).to.deep.equal({ resourceType: 'Patient', id: 'p1', versionId: '2' });
    expect(summariseResource('free text with a name')).to.equal('[redacted]');
  });

  it('keeps query parameter names and drops their values', () => {
    expect(redactUrl('/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990001234&_count=5')).to.equal('/fhir/Patient?identifier=[redacted]&_count=[redacted]');
    expect(redactUrl('/healthz')).to.equal('/healthz');
    expect(redactUrl('/cb?code=abc&state=xyz&code=def')).to.equal('/cb?code=[redacted]&state=[redacted]');
  });

  it('pino-http: one line per request with a request id, redacted URL and no headers', async () => {
    const dest = memoryDestination();
    const app = express();
    app.use(createHttpLogger(createLogger({ level: 'info', destination: dest })));
    app.get('/launch', (req, res) => {
      req.log.info({ step: 'inside' }, 'handler ran');
      res.status(204).end();
    });
    const srv = await listen(app);
    try {
      const res = await fetch(`${srv.url}/launch?iss=https://ehr.test&launch=secret-launch`, {
        headers: { authorization: 'Bearer top-secret', cookie: 'sid=s3', 'x-request-id': 'req-123' },
      });
      expect(res.status).to.equal(204);
      expect(res.headers.get('x-request-id')).to.equal('req-123');
    } finally {
      await srv.close();
    }
    const text = JSON.stringify(dest.lines);
    expect(text).to.not.contain('secret-launch').and.not.contain('top-secret').and.not.contain('sid=s3');
    const inside = dest.lines.find((l) => l.msg === 'handler ran')!;
    expect(inside.reqId).to.equal('req-123');
    const done = dest.lines.find((l) => l.msg === 'request completed')!;
    expect(done.req).to.deep.include({ method: 'GET', url: '/launch?iss=[redacted]&launch=[redacted]' });
    expect((done.res as { statusCode: number }).statusCode).to.equal(204);
  });

  it('generates a request id when the given one is unsafe', async () => {
    const app = express();
    app.use(createHttpLogger(createLogger({ level: 'silent' })));
    app.get('/', (_req, res) => void res.end());
    const srv = await listen(app);
    try {
      const res = await fetch(srv.url, { headers: { 'x-request-id': 'bad id\twith spaces' } });
      expect(res.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    } finally {
      await srv.close();
    }
  });

  it('a library’s warnings (node-cron’s overlap and missed-run lines) become structured log lines, not console text', () => {
    const dest = memoryDestination();
    const cron = libraryLogger(createLogger({ level: 'info', destination: dest }), 'node-cron');
    cron.warn('task still running, new execution blocked by overlap prevention!');
    cron.error('Task failed with error!', new Error('boom'));
    cron.debug('detail');
    expect(dest.lines).to.have.length(2);
    expect(dest.lines[0]).to.deep.include({ level: 40, library: 'node-cron', service: 'sp-link', msg: 'task still running, new execution blocked by overlap prevention!' });
    expect(dest.lines[1]).to.deep.include({ level: 50, library: 'node-cron', msg: 'Task failed with error!' });
    expect((dest.lines[1]!.err as { message: string }).message).to.equal('boom');
  });
});
