import type { DoctorReport } from './types.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Plain-text table of every check, then a "how to fix" list for each FAIL and WARN. */
export function renderDoctorReport(report: DoctorReport): string {
  const counts = { PASS: 0, FAIL: 0, WARN: 0, SKIP: 0 };
  for (const c of report.checks) counts[c.status]++;
  const head = ['ENDPOINT', 'CHECK', 'RESULT', 'DETAIL'] as const;
  const rows = report.checks.map((c) => [c.endpoint, c.check, c.status, c.detail ?? '']);
  const widths = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => [pad(r[0]!, widths[0]!), pad(r[1]!, widths[1]!), pad(r[2]!, widths[2]!), r[3]].join('  ').trimEnd();

  const out: string[] = [];
  out.push(`SP Link doctor: ${report.endpoints.length} endpoint(s), ${report.checks.length} checks`);
  for (const e of report.endpoints) out.push(`  ${e.label}  ${e.fhirBase}`);
  out.push('');
  out.push(line(head));
  out.push(line(widths.map((w) => '-'.repeat(w)).concat('------')));
  for (const r of rows) out.push(line(r));
  out.push('');
  const problems = report.checks.filter((c) => c.status === 'FAIL' || c.status === 'WARN');
  if (problems.length) {
    out.push('How to fix:');
    for (const p of problems) {
      out.push(`  [${p.status}] ${p.endpoint}: ${p.check}`);
      if (p.fix) out.push(`         ${p.fix}`);
    }
    out.push('');
  }
  out.push(`${counts.PASS} passed, ${counts.FAIL} failed, ${counts.WARN} warnings, ${counts.SKIP} skipped: ${report.ok ? 'OK' : 'NOT OK'}`);
  return out.join('\n');
}
