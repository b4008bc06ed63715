import { setTimeout as sleep } from 'node:timers/promises';

import type { KubeClient } from '../kube/client.js';
import { KubeApiError, isGone } from '../kube/errors.js';
import type { KubeObject, ObjectList, Status, WatchEvent } from '../kube/types.js';
import type { Logger } from '../log.js';
import type { OperatorMetrics } from '../metrics.js';

/**
 * A list+watch loop that never gives up, replacing the client library's informer (which stops
 * for good on any non-timeout error). It lists, then watches from the list's resourceVersion;
 * when the server ends a watch it reopens it from the last seen resourceVersion (bookmarks keep
 * that fresh); on an error it backs off and reopens; on 410 Gone it lists again and reports
 * what changed meanwhile; and a watchdog aborts a watch that has been silent longer than
 * idleTimeoutMs (a half-open connection looks exactly like a quiet cluster otherwise).
 */

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatcherOptions<T extends KubeObject> {
  readonly client: KubeClient;
  /** Collection path, e.g. /apis/findash.io/v1alpha1/tenants or /api/v1/secrets. */
  readonly path: string;
  /** Metric label and log field. */
  readonly resource: string;
  readonly labelSelector?: string;
  readonly timeoutSeconds: number;
  readonly idleTimeoutMs: number;
  /** `old` is the previous copy for MODIFIED (and the last copy for DELETED), when known. */
  readonly onEvent: (type: EventType, obj: T, old: T | undefined) => void;
  /** After every successful (re)list. */
  readonly onSynced?: () => void;
  readonly logger: Logger;
  readonly metrics?: OperatorMetrics;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

export class Watcher<T extends KubeObject> {
  /** The latest copy of every object, by namespace/name. */
  readonly store = new Map<string, T>();
  private resourceVersion = '';
  private stopped = false;
  private loop: Promise<void> | undefined;
  private current: AbortController | undefined;
  private hasSynced = false;
  private failing = false;
  private lastDataAt = 0;
  private restartReason: string | undefined;
  private stopSignal: AbortController | undefined;

  constructor(private readonly options: WatcherOptions<T>) {
    options.metrics?.watchRestarts.inc({ resource: options.resource }, 0);
  }

  get synced(): boolean {
    return this.hasSynced;
  }

  /** Listed, and not failing since: the store is as fresh as the watch (what the reconciler may read from). */
  get fresh(): boolean {
    return this.hasSynced && !this.failing && !this.stopped;
  }

  /** Milliseconds since the watch last received anything (for /healthz). */
  get silenceMs(): number {
    return this.lastDataAt === 0 ? 0 : Date.now() - this.lastDataAt;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSignal ??= new AbortController();
    this.stopSignal.abort();
    this.current?.abort();
    await this.loop;
  }

  /** Drops the current watch and opens a new one (the watchdog, and tests, use it). */
  restart(reason: string): void {
    this.restartReason = reason;
    this.current?.abort();
  }

  private async run(): Promise<void> {
    const log = this.options.logger.child({ resource: this.options.resource });
    let needList = true;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.list();
          needList = false;
        }
        await this.watchOnce();
        failures = 0;
      } catch (err) {
        if (this.isStopped()) break;
        this.failing = true;
        if (isGone(err)) needList = true;
        const reason = this.restartReason ?? (err instanceof Error ? err.message : String(err));
        this.restartReason = undefined;
        this.options.metrics?.watchRestarts.inc({ resource: this.options.resource });
        const delay = isGone(err) ? 0 : this.backoff(failures++);
        log.warn('watch restarting', { reason, relist: needList, retryInMs: delay });
        if (delay > 0) await this.pause(delay);
      }
    }
  }

  /** Sleeps, but wakes at once when stop() is called. */
  private async pause(ms: number): Promise<void> {
    this.stopSignal ??= new AbortController();
    try {
      await sleep(ms, undefined, { signal: this.stopSignal.signal });
    } catch {
      // stopped
    }
  }

  private backoff(failures: number): number {
    const base = this.options.backoffBaseMs ?? 200;
    const max = this.options.backoffMaxMs ?? 30_000;
    return Math.min(base * 2 ** Math.min(failures, 20), max);
  }

  private async list(): Promise<void> {
    const seen = new Set<string>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.options.client.get<ObjectList<T>>(this.options.path, {
        limit: 500,
        continue: cont,
        labelSelector: this.options.labelSelector,
      });
      rv = page.metadata.resourceVersion ?? '';
      cont = page.metadata.continue || undefined;
      for (const item of page.items) {
        const key = objectKey(item);
        seen.add(key);
        const old = this.store.get(key);
        this.store.set(key, item);
        if (!old) this.options.onEvent('ADDED', item, undefined);
        else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) {
          this.options.onEvent('MODIFIED', item, old);
        }
      }
    } while (cont);
    for (const [key, old] of this.store) {
      if (!seen.has(key)) {
        this.store.delete(key);
        this.options.onEvent('DELETED', old, old);
      }
    }
    this.resourceVersion = rv;
    this.hasSynced = true;
    this.failing = false;
    this.lastDataAt = Date.now();
    this.options.onSynced?.();
  }

  private async watchOnce(): Promise<void> {
    const controller = new AbortController();
    this.current = controller;
    this.lastDataAt = Date.now();
    const watchdog = setInterval(
      () => {
        if (Date.now() - this.lastDataAt > this.options.idleTimeoutMs) {
          this.restart(`no data for ${this.options.idleTimeoutMs} ms`);
        }
      },
      Math.max(50, Math.min(this.options.idleTimeoutMs / 4, 5000)),
    );
    watchdog.unref();
    let failure: Error | undefined;
    try {
      await this.options.client.stream(
        this.options.path,
        {
          watch: 1,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: this.options.timeoutSeconds,
          labelSelector: this.options.labelSelector,
        },
        {
          onData: () => {
            this.lastDataAt = Date.now();
            this.failing = false;
          },
          onLine: (line) => {
            const err = this.handle(line as WatchEvent<T>);
            if (err) {
              failure = err;
              controller.abort();
            }
          },
        },
        controller.signal,
      );
      if (failure) throw failure;
      if (controller.signal.aborted && !this.stopped) throw new Error(this.restartReason ?? 'watch aborted');
    } catch (err) {
      if (failure) throw failure;
      if (controller.signal.aborted && !this.stopped && !(err instanceof KubeApiError)) {
        throw new Error(this.restartReason ?? 'watch aborted');
      }
      throw err;
    } finally {
      clearInterval(watchdog);
      this.current = undefined;
    }
  }

  /** Applies one watch event; returns an error that must end this watch. */
  private handle(event: WatchEvent<T>): Error | undefined {
    if (event.type === 'ERROR') {
      const status = event.object as Status;
      return new KubeApiError(status.code ?? 500, status, 'WATCH', this.options.path);
    }
    const obj = event.object as T;
    if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') return undefined;
    const key = objectKey(obj);
    const old = this.store.get(key);
    if (event.type === 'DELETED') this.store.delete(key);
    else this.store.set(key, obj);
    this.options.onEvent(event.type, obj, old);
    return undefined;
  }
}
