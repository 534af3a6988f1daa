import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * ops/prometheus/alerts.yml, the alert rules shipped for operators, parsed and checked against SP Link's own
 * metrics registry: a rule that names a metric SP Link does not export would never fire.
 */
const ruleFile = z.object({
  groups: z.array(z.object({
    name: z.string().min(1),
    rules: z.array(z.object({
      alert: z.string().regex(/^SpLink[A-Za-z]+$/),
      expr: z.string().min(1),
      for: z.string().regex(/^\d+[smh]$/).optional(),
      labels: z.object({ severity: z.enum(['page', 'ticket']) }).catchall(z.string()),
      annotations: z.object({ summary: z.string().min(1), description: z.string().optional() }).strict(),
    }).strict()).min(1),
  }).strict()).min(1),
}).strict();

/** Metrics Prometheus makes itself for every scrape target. */
const PROMETHEUS_OWN = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads (functions, keywords, label matchers, ranges and strings left out). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    // Part of a number such as 1.5e9.
    if (/[0-9.]$/.test(bare.slice(0, m.index)) && /^e\d*$/i.test(m[0])) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Every series name SP Link exports (histograms as _bucket, _sum and _count). */
async function exportedNames(): Promise<Set<string>> {
  // The whole system's modules, so every metric any part registers is there.
  await import('../../../src/system.js');
  const { metricsRegistry } = await import('../../../src/observability/metrics.js');
  const out = new Set<string>();
  for (const m of await metricsRegistry.getMetricsAsJSON()) {
    out.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(`${m.name}${s}`);
  }
  return out;
}

describe('ops/prometheus/alerts.yml', function () {
  this.timeout(60_000);

  it('reads metric names out of PromQL, leaving out functions, labels, ranges and numbers', () => {
    expect(metricNames('sum by (endpoint) (rate(a_total{outcome="failed", x=~"b(c)"}[15m])) > 1.5e9 and on (endpoint) b_open == 0')).to.deep.equal(['a_total', 'b_open']);
    expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(h_bucket[5m])))')).to.deep.equal(['h_bucket']);
  });

  it('is a valid rule file whose every rule reads only metrics SP Link exports', async () => {
    const file = ruleFile.parse(parseYaml(await readFile('ops/prometheus/alerts.yml', 'utf8')));
    const exported = await exportedNames();
    const missing: string[] = [];
    const alerts = file.groups.flatMap((g) => g.rules);
    for (const r of alerts) {
      const names = metricNames(r.expr);
      expect(names, r.alert).to.not.be.empty;
      for (const n of names) if (!exported.has(n) && !PROMETHEUS_OWN.has(n)) missing.push(`${r.alert}: ${n}`);
    }
    expect(missing).to.deep.equal([]);
    expect(new Set(alerts.map((r) => r.alert)).size, 'alert names are unique').to.equal(alerts.length);
    // What an operator must hear about: a failing or stalled endpoint, and a dead letter waiting for a person.
    const read = new Set(alerts.flatMap((r) => metricNames(r.expr)));
    for (const n of ['sp_link_reconcile_endpoint_alert', 'sp_link_reconcile_endpoint_stalled', 'sp_link_reconcile_dead_letters_open', 'sp_link_endpoint_up']) expect(read, n).to.include(n);
  });
});
