import type { ChangeSource, DirectoryEventType } from './directory.service';
import { ulid } from './ids';
import type { Company, Delivery, DeliveryAttempt, WebhookHook } from './model';
import type { SandboxState } from './state';

const RESPONSE_BODY_LIMIT = 2000;

/**
 * Turns directory changes into webhook deliveries and really POSTs them (procore-api.md §6.2,
 * §6.3): one delivery per matching active hook, at least once (a configurable share twice),
 * optionally out of order (§9.12), retried on non-2xx, connection errors or the 5 s timeout with
 * backoff from 1 s doubling to 1 h, discarded once the 12 h retry window is over. Every duration
 * is multiplied by `settings.webhooks.timeScale`.
 */
export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly firstAttemptAt = new Map<string, number>();
  private closed = false;

  constructor(private readonly state: SandboxState) {}

  emit(
    company: Company,
    resourceName: string,
    eventType: DirectoryEventType,
    resourceId: number,
    source: ChangeSource,
  ): void {
    // An uninstalled app receives nothing (its hooks belong to the app, §1.4).
    if (!company.installed) return;
    const eventId = this.state.next('event');
    const eventUlid = ulid(this.state.now());
    const timestamp = new Date(this.state.now()).toISOString();
    const payloadV2 = {
      id: eventId,
      ulid: eventUlid,
      timestamp,
      metadata: {
        source_user_id: source.userId,
        source_project_id: null,
        source_operation_id: null,
        source_company_id: company.id,
        source_application_id: source.applicationId,
      },
      user_id: source.userId,
      company_id: company.id,
      // Company Directory events carry no project (procore-api.md §6.1, fan-out note).
      project_id: null,
      api_version: 'v2.0',
      event_type: eventType,
      resource_name: resourceName,
      resource_id: resourceId,
    };
    for (const hook of company.hooks.values()) {
      if (hook.status !== 'active') continue;
      const triggered = [...company.triggers.values()].some(
        (t) => t.hookId === hook.id && t.resource_name === resourceName && t.event_type === eventType,
      );
      if (!triggered) continue;
      const body = bodyFor(hook, payloadV2);
      const copies = Math.random() < this.state.settings.webhooks.duplicateShare ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        const delivery: Delivery = {
          id: String(this.state.next('delivery')),
          hookId: hook.id,
          companyId: company.id,
          resource_name: resourceName,
          resource_id: resourceId,
          event_type: eventType,
          body,
          payloadV2,
          status: 'enqueued',
          duplicate: copy > 0,
          attempts: [],
          created_at: this.state.now(),
          completed_at: null,
          next_attempt_at: null,
        };
        this.state.addDelivery(delivery);
        const cfg = this.state.settings.webhooks;
        const delay = cfg.outOfOrder ? Math.random() * cfg.reorderWindowMs * cfg.timeScale : copy * 5;
        this.schedule(delivery, delay);
      }
    }
  }

  /** Stops all timers and aborts requests in flight (sandbox close or reset). */
  close(): void {
    this.closed = true;
    this.cancelAll();
  }

  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
    this.inFlight.clear();
    this.firstAttemptAt.clear();
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    if (this.closed) return;
    delivery.next_attempt_at = this.state.now() + delayMs;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(delivery);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const company = this.state.company(delivery.companyId);
    const hook = company?.hooks.get(delivery.hookId);
    if (!company || !hook || hook.status !== 'active' || !company.installed) {
      finish(delivery, 'discarded', this.state.now());
      return;
    }
    const cfg = this.state.settings.webhooks;
    const realStart = Date.now();
    if (!this.firstAttemptAt.has(delivery.id)) this.firstAttemptAt.set(delivery.id, realStart);
    const attempt: DeliveryAttempt = {
      id: String(this.state.next('attempt')),
      started_at: this.state.now(),
      completed_at: null,
      response_status: null,
      response_body: '',
      response_headers: {},
      error: null,
      success: false,
    };
    delivery.attempts.push(attempt);
    delivery.next_attempt_at = null;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error('timeout')), cfg.timeoutMs * cfg.timeScale);
    try {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'Procore-Webhooks',
      };
      if (hook.authorization) headers.authorization = hook.authorization;
      const res = await fetch(hook.destination_url, {
        method: 'POST',
        headers,
        body: JSON.stringify(delivery.body),
        signal: controller.signal,
      });
      attempt.response_status = res.status;
      attempt.response_headers = Object.fromEntries(res.headers.entries());
      attempt.response_body = (await res.text()).slice(0, RESPONSE_BODY_LIMIT);
      attempt.success = res.status >= 200 && res.status < 300;
    } catch (err) {
      attempt.error = controller.signal.aborted
        ? `timed out after ${cfg.timeoutMs * cfg.timeScale} ms`
        : err instanceof Error
          ? err.cause instanceof Error
            ? err.cause.message
            : err.message
          : String(err);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
      attempt.completed_at = this.state.now();
    }
    if (this.closed) return;
    if (attempt.success) {
      this.firstAttemptAt.delete(delivery.id);
      finish(delivery, 'delivered', this.state.now());
      return;
    }
    const failures = delivery.attempts.length;
    const backoff = Math.min(cfg.initialBackoffMs * 2 ** (failures - 1), cfg.maxBackoffMs) * cfg.timeScale;
    const elapsed = Date.now() - (this.firstAttemptAt.get(delivery.id) ?? realStart);
    if (elapsed + backoff > cfg.retryWindowMs * cfg.timeScale) {
      this.firstAttemptAt.delete(delivery.id);
      finish(delivery, 'discarded', this.state.now());
      return;
    }
    delivery.status = 'retrying';
    this.schedule(delivery, backoff);
  }
}

function finish(delivery: Delivery, status: 'delivered' | 'discarded', now: number): void {
  delivery.status = status;
  delivery.completed_at = now;
  delivery.next_attempt_at = null;
}

/** The POSTed body in the hook's payload version (procore-api.md §6.2, §10.9). */
function bodyFor(hook: WebhookHook, v2: Record<string, unknown> & { ulid: string }): Record<string, unknown> {
  if (hook.payload_version === 'v4.0') {
    const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
    return {
      id: v2.ulid,
      timestamp: v2.timestamp,
      reason: v2.event_type,
      company_id: str(v2.company_id),
      project_id: str(v2.project_id),
      user_id: str(v2.user_id),
      resource_type: v2.resource_name,
      resource_id: str(v2.resource_id),
    };
  }
  if (hook.payload_version === 'v3.0') return { ...v2, api_version: 'v3.0', related_resources: [] };
  return v2;
}

export function deliveryView(d: Delivery) {
  return {
    id: d.id,
    hook_id: d.hookId,
    company_id: d.companyId,
    resource_name: d.resource_name,
    resource_id: d.resource_id,
    event_type: d.event_type,
    status: d.status,
    duplicate: d.duplicate,
    attempts: d.attempts.map((a) => ({
      started_at: isoMs(a.started_at),
      completed_at: a.completed_at === null ? null : isoMs(a.completed_at),
      response_status: a.response_status,
      error: a.error,
      success: a.success,
    })),
    body: d.body,
    created_at: isoMs(d.created_at),
    completed_at: d.completed_at === null ? null : isoMs(d.completed_at),
    next_attempt_at: d.next_attempt_at === null ? null : isoMs(d.next_attempt_at),
  };
}

const isoMs = (ms: number) => new Date(ms).toISOString();
