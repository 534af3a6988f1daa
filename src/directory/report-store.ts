import type { Db } from '../store/db.js';
import type { ReportKind, ServiceReport, StewardAction } from './stewardship.js';

/**
 * Link workers' reports that a service has closed or changed (migration 410): filed in one click, listed for the
 * managers of the reporter's organisation until a manager acts on that service, then kept with who settled it and how.
 */

interface Row {
  id: string;
  service_id: string;
  service_name: string;
  kind: ReportKind;
  note: string | null;
  reporter_name: string;
  reported_at: string | Date;
}

const iso = (v: string | Date) => (v instanceof Date ? v : new Date(v)).toISOString();
const toReport = (r: Row): ServiceReport => ({
  id: Number(r.id), serviceId: r.service_id, serviceName: r.service_name, kind: r.kind,
  ...(r.note ? { note: r.note } : {}), reporterName: r.reporter_name, reportedAt: iso(r.reported_at),
});

/** How a report was settled: the manager's action on the service. */
const RESOLUTION: Record<StewardAction, string> = { checked: 'checked', inactive: 'inactive', change: 'changed' };

export class DirectoryReports {
  constructor(private readonly db: Db) {}

  async file(r: { serviceId: string; serviceName: string; kind: ReportKind; note?: string; by: string; name: string; org: string; at: Date }): Promise<number> {
    const res = await this.db.query<{ id: string }>(
      `INSERT INTO directory_reports (service_id, service_name, kind, note, reported_by, reporter_name, reporter_org, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [r.serviceId, r.serviceName, r.kind, r.note ?? null, r.by, r.name, r.org, r.at.toISOString()],
    );
    return Number(res.rows[0]!.id);
  }

  /** Reports from the organisation's staff that no manager has acted on, oldest first. */
  async open(org: string, limit = 1000): Promise<ServiceReport[]> {
    const res = await this.db.query<Row>(
      `SELECT id, service_id, service_name, kind, note, reporter_name, reported_at FROM directory_reports
       WHERE reporter_org = $1 AND resolved_at IS NULL ORDER BY reported_at, id LIMIT $2`,
      [org, limit],
    );
    return res.rows.map(toReport);
  }

  /** Every open report about the service is settled by the manager's action on it (whoever reported it). */
  async resolve(serviceId: string, r: { by: string; action: StewardAction; at: Date }): Promise<number> {
    const res = await this.db.query(
      `UPDATE directory_reports SET resolved_at = $2, resolved_by = $3, resolution = $4 WHERE service_id = $1 AND resolved_at IS NULL`,
      [serviceId, r.at.toISOString(), r.by, RESOLUTION[r.action]],
    );
    return res.rowCount;
  }
}
