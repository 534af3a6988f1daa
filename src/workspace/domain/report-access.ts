import type { Config } from '../../config/schema.js';
import type { ReportWithin } from '../../reports/report-filter.js';
import { isManager, type Actor } from './actor.js';

/**
 * Which referrals a person reading the reports may see, pure. A service manager sees their own organisation's
 * services (the link-worker endpoints whose `organizationOdsCode` is their organisation); a commissioner sees their
 * area (`reports.areas`: PCNs and practices, for their organisation or for them by name). Someone both sees the
 * manager's services within the area. With nothing configured for them the answer says what to configure: the
 * reports are refused rather than shown whole.
 */

export type ReportAccess = { ok: true; within: ReportWithin } | { ok: false; message: string };

type AccessConfig = Pick<Config, 'linkWorkerEndpoints'> & { reports: Pick<Config['reports'], 'areas'> };

export function reportAccess(actor: Pick<Actor, 'sub' | 'orgOds' | 'roles'>, config: AccessConfig): ReportAccess {
  const within: { practices?: string[]; pcns?: string[]; services?: string[] } = {};
  const problems: string[] = [];
  if (actor.roles.includes('commissioner')) {
    const areas = config.reports.areas.filter((a) => a.commissioner === actor.sub || (a.organisation !== undefined && a.organisation === actor.orgOds));
    if (areas.length === 0) {
      problems.push(`no area is configured for your organisation (${actor.orgOds}): add it to reports.areas with its PCNs or practices (docs/REPORTS.md, "Who sees what")`);
    } else {
      within.pcns = [...new Set(areas.flatMap((a) => a.pcns))];
      within.practices = [...new Set(areas.flatMap((a) => a.practices))];
    }
  }
  if (isManager({ ...actor, name: '', practitioner: '' })) {
    const services = config.linkWorkerEndpoints.filter((e) => e.organizationOdsCode === actor.orgOds).map((e) => e.id);
    if (services.length === 0) {
      problems.push(`no link-worker service is configured for your organisation (${actor.orgOds}): set linkWorkerEndpoints[].organizationOdsCode of its endpoint to ${actor.orgOds}`);
    } else {
      within.services = services;
    }
  }
  // A person with both roles sees what either grants them within the other; one without a grant is refused.
  if (problems.length && !(within.services || within.pcns)) return { ok: false, message: `Reports are not set up for you yet: ${problems.join('; and ')}.` };
  if (!within.services && !within.pcns && !within.practices) return { ok: false, message: 'Reports are for commissioners and service managers.' };
  return { ok: true, within };
}
