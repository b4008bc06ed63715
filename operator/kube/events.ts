import { randomBytes } from 'node:crypto';

import type { KubeClient } from './client.js';
import type { KubeObject } from './types.js';
import type { Logger } from '../log.js';

/**
 * Records events.k8s.io/v1 Events about an object, as client-go's recorder does, so
 * `kubectl describe tenant acme` and `kubectl get events` show what the operator did and why it
 * failed. Events for cluster-scoped objects go to the `default` namespace (the convention
 * kubectl describe searches). A repeat of the same event within the dedupe window is dropped,
 * so a Tenant failing on every retry does not flood the API server.
 */

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly client: KubeClient;
  readonly controller: string;
  readonly instance: string;
  readonly logger: Logger;
  readonly dedupeWindowMs?: number;
}

export class EventRecorder {
  private readonly recent = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: EventRecorderOptions) {}

  record(
    regarding: KubeObject & { apiVersion: string; kind: string },
    type: EventType,
    reason: string,
    action: string,
    note: string,
  ): void {
    const uid = regarding.metadata.uid ?? '';
    const key = `${uid}\u0000${type}\u0000${reason}\u0000${note}`;
    const now = Date.now();
    const window = this.options.dedupeWindowMs ?? 10 * 60_000;
    const last = this.recent.get(key);
    if (last !== undefined && now - last < window) return;
    this.recent.set(key, now);
    if (this.recent.size > 10_000) {
      for (const [k, at] of this.recent) if (now - at >= window) this.recent.delete(k);
    }
    const namespace = regarding.metadata.namespace ?? 'default';
    const name = `${regarding.metadata.name ?? 'object'}.${now.toString(16)}${randomBytes(3).toString('hex')}`;
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: new Date(now).toISOString().replace(/Z$/, '000Z'),
      reportingController: this.options.controller,
      reportingInstance: this.options.instance.slice(0, 128),
      action: action.slice(0, 128),
      reason: reason.slice(0, 128),
      type,
      note: note.slice(0, 1024),
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: regarding.metadata.name,
        namespace: regarding.metadata.namespace,
        uid: regarding.metadata.uid,
        resourceVersion: regarding.metadata.resourceVersion,
      },
    };
    const p = this.options.client
      .create(`/apis/events.k8s.io/v1/namespaces/${namespace}/events`, body)
      .then(
        () => undefined,
        (err: unknown) => {
          // An event is best effort: never fail a reconcile because it could not be recorded.
          this.options.logger.warn('could not record event', { reason, err });
        },
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for events still being sent (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
