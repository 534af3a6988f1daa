import type { SubscriptionCheck } from './subscriptions.js';

/**
 * How one endpoint's change notifications are doing, as operators see it (`/admin/api/reconcile/status`):
 * - `polling-only`: no Subscription by choice (disabled, or the server has none);
 * - `active`: a Subscription is active and notifications arrive (or nothing has changed yet);
 * - `pending`: created, waiting for the server to activate it;
 * - `polling-fallback`: notifications are not arriving (the Subscription stayed `requested`, or a change was
 *   found only by polling after the notification timeout); polling carries the endpoint and the next upkeep
 *   re-requests the Subscription.
 */
export type NotificationMode = 'polling-only' | 'active' | 'pending' | 'polling-fallback';

export interface NotificationStatus {
  readonly mode: NotificationMode;
  readonly subscriptionId?: string;
  readonly serverStatus?: string;
  readonly activatedByClient?: boolean;
  readonly lastNotificationAt?: string;
  readonly since: string;
  readonly detail?: string;
}

/**
 * Pure bookkeeping for one endpoint (the clock is passed in). The change feed tells it which Task changes polling
 * found first; a change older than `timeoutMs` that no notification announced means notifications are lost.
 */
export class SubscriptionMonitor {
  private mode: NotificationMode = 'polling-only';
  private since: number;
  private check: SubscriptionCheck | undefined;
  private lastNotification: number | undefined;
  private detail: string | undefined;

  constructor(
    private readonly timeoutMs: number,
    now: number,
  ) {
    this.since = now;
  }

  private enter(mode: NotificationMode, now: number, detail?: string): boolean {
    this.detail = detail;
    if (mode === this.mode) return false;
    this.mode = mode;
    this.since = now;
    return true;
  }

  /** The outcome of Subscription upkeep. True when this moved the endpoint into polling-fallback. */
  ensured(check: SubscriptionCheck, now: number): boolean {
    this.check = check;
    switch (check.state) {
      case 'disabled':
      case 'unsupported':
        return this.enter('polling-only', now, check.state === 'disabled' ? 'subscriptions disabled in the configuration' : 'the server does not offer rest-hook Subscriptions');
      case 'requested':
        return this.enter('polling-fallback', now, 'the server keeps the Subscription requested: no notifications will arrive');
      case 'created':
      case 'updated':
      case 'ok':
        if (check.serverStatus === 'active') {
          // A fresh or repaired Subscription gets a fresh chance; an unchanged one keeps its fallback until notifications resume.
          if (this.mode !== 'polling-fallback' || check.state !== 'ok') this.enter('active', now);
          return false;
        }
        this.enter('pending', now, `server status ${check.serverStatus ?? 'unknown'}`);
        return false;
      default:
        return check.state satisfies never;
    }
  }

  /** Upkeep itself failed (the server refused or was down): no Subscription can be relied on. True on the switch. */
  upkeepFailed(message: string, now: number): boolean {
    this.check = undefined;
    return this.enter('polling-fallback', now, `Subscription upkeep failed: ${message.slice(0, 300)}`);
  }

  /** A notification arrived (any: a ping counts too). */
  notified(now: number): void {
    this.lastNotification = now;
    if (this.mode === 'polling-fallback' || this.mode === 'pending') this.enter('active', now);
  }

  /**
   * Polling applied changes the oldest of which was last updated at `oldest` (a FHIR instant). When a Subscription
   * should have announced it long ago and no notification came since, notifications are lost: true on the switch.
   */
  polledChanges(oldest: string | undefined, now: number): boolean {
    if (!oldest || (this.mode !== 'active' && this.mode !== 'pending')) return false;
    const changedAt = Date.parse(oldest);
    if (Number.isNaN(changedAt) || now - changedAt < this.timeoutMs) return false;
    if (this.mode === 'active' && changedAt < this.since) return false; // older than the Subscription itself
    if (this.lastNotification !== undefined && this.lastNotification >= changedAt) return false;
    return this.enter('polling-fallback', now, `a Task change from ${new Date(changedAt).toISOString()} was found only by polling`);
  }

  /** True when the Subscription should be re-requested at the next upkeep. */
  needsRenewal(): boolean {
    return this.mode === 'polling-fallback' && this.check?.state !== 'requested';
  }

  status(): NotificationStatus {
    return {
      mode: this.mode,
      ...(this.check?.id ? { subscriptionId: this.check.id } : {}),
      ...(this.check?.serverStatus ? { serverStatus: this.check.serverStatus } : {}),
      ...(this.check?.activatedByClient ? { activatedByClient: true } : {}),
      ...(this.lastNotification !== undefined ? { lastNotificationAt: new Date(this.lastNotification).toISOString() } : {}),
      since: new Date(this.since).toISOString(),
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }
}
