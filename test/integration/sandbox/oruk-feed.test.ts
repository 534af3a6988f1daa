import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { parsePage, parseService } from '../../../src/directory/oruk-schema.js';
import { mapOrukService } from '../../../src/directory/oruk-to-fhir.js';
import { NEEDS } from '../../../src/referral-model/codes.js';
import { MALFORMED_SERVICE_ID } from '../../../src/sandbox/oruk/area.js';
import { OrukFeed } from '../../../src/sandbox/oruk/feed.js';
import { ORUK_PATH, orukRouter } from '../../../src/sandbox/oruk/router.js';

describe('sandbox: Open Referral UK feed over HTTP', () => {
  const now = new Date('2026-11-20T15:00:00Z');
  const feed = new OrukFeed(now);
  let server: http.Server;
  let base: string;

  before(async () => {
    const app = express();
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app.use(ORUK_PATH, orukRouter(feed, { publicUrl: origin }));
    base = origin + ORUK_PATH;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('pages /services with the profile’s envelope until last_page', async () => {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const { status, body } = await get(`/services?page=${page}&per_page=25`);
      expect(status).to.equal(200);
      const p = parsePage(body);
      expect(p.page_number).to.equal(page);
      expect(p.total_items).to.equal(feed.size);
      ids.push(...p.contents.map((c) => String((c as { id: unknown }).id)));
      if (p.last_page) break;
    }
    expect(ids).to.have.length(feed.size);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(feed.size).to.be.at.least(61);
  });

  it('lists only records modified on or after modified_after', async () => {
    const since = new Date(now.getTime() - 30 * 86_400_000).toISOString();
    const { body } = await get(`/services?per_page=100&modified_after=${encodeURIComponent(since)}`);
    const p = parsePage(body);
    expect(p.total_items).to.be.greaterThan(0).and.lessThan(feed.size);
    for (const c of p.contents) expect(Date.parse(String((c as { last_modified: string }).last_modified))).to.be.at.least(Date.parse(since));
  });

  it('refuses bad paging parameters and unknown ids', async () => {
    expect((await get('/services?page=0')).status).to.equal(400);
    expect((await get('/services?per_page=1000')).status).to.equal(400);
    expect((await get('/services?modified_after=yesterday')).status).to.equal(400);
    expect((await get('/services/no-such-service')).status).to.equal(404);
  });

  it('serves a realistic area: every record checks out but the one malformed, across SP Link’s needs, with stale and closed services', async () => {
    const { body } = await get('/services?per_page=100');
    const needs = new Set<string>();
    const statuses = new Map<string, number>();
    let stale = 0;
    const refused: string[] = [];
    for (const item of parsePage(body).contents) {
      const id = String((item as { id: unknown }).id);
      const full = await get(`/services/${id}`);
      const r = parseService(full.body);
      if (!r.ok) {
        refused.push(id);
        continue;
      }
      statuses.set(r.service.status, (statuses.get(r.service.status) ?? 0) + 1);
      if (r.service.assured_date && now.getTime() - Date.parse(r.service.assured_date) > 365 * 86_400_000) stale++;
      const hs = mapOrukService(r.service, { feedId: 'sandbox', feedName: 'Sandbox' }, now).healthcareService;
      for (const c of hs.category ?? []) needs.add(c.coding?.[0]?.code ?? '');
    }
    expect(refused).to.deep.equal([MALFORMED_SERVICE_ID]);
    expect(stale).to.be.at.least(5);
    expect(statuses.get('temporarily closed')).to.be.at.least(2);
    expect(statuses.get('defunct')).to.be.at.least(1);
    const missing = NEEDS.map((n) => n.code).filter((c) => c !== 'other' && !needs.has(c));
    expect(missing, 'needs without a service').to.deep.equal([]);
  });
});
