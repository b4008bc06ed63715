import { setTimeout as sleep } from 'node:timers/promises';

import type { KubeClient } from '../kube/client.js';
import { isConflict, isNotFound } from '../kube/errors.js';
import type { Lease } from '../kube/types.js';
import type { Logger } from '../log.js';

/**
 * Leader election on a coordination.k8s.io/v1 Lease, the algorithm of client-go's
 * leaderelection: a candidate takes the lease when it is free or when its record has not changed
 * for a whole lease duration *as measured on this candidate's own clock* (so clock skew between
 * replicas does not matter); the leader renews every retry period and steps down if it cannot
 * renew within the renew deadline. Every write carries the resourceVersion it read, so two
 * candidates racing for the lease cannot both win: the loser gets 409 Conflict.
 */

export interface LeaderElectorOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  /** Give up leadership if renewals keep failing this long. Default 2/3 of the lease. */
  readonly renewDeadlineMs?: number;
  /** Between attempts to acquire or renew. Default lease/7.5 (2 s for a 15 s lease). */
  readonly retryPeriodMs?: number;
  readonly logger: Logger;
  readonly onStartedLeading: () => void;
  /** Awaited on stop() before the lease is released, so no reconcile overlaps the next leader. */
  readonly onStoppedLeading: () => void | Promise<void>;
  readonly onNewLeader?: (identity: string) => void;
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private observed: { rv: string; holder: string; at: number } | undefined;
  private lastRenew = 0;
  private lastHolder = '';
  private wake: (() => void) | undefined;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;

  constructor(private readonly options: LeaderElectorOptions) {
    this.renewDeadlineMs = options.renewDeadlineMs ?? Math.round((options.leaseDurationMs * 2) / 3);
    this.retryPeriodMs = options.retryPeriodMs ?? Math.max(100, Math.round(options.leaseDurationMs / 7.5));
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases/${this.options.name}`;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops campaigning; a leader releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.leading) {
      this.leading = false;
      await this.options.onStoppedLeading();
      await this.release();
    }
  }

  private async run(): Promise<void> {
    const log = this.options.logger;
    while (!this.stopped) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        log.warn('lease update failed', { lease: this.options.name, err });
      }
      if (this.isStopped()) break;
      const now = Date.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          log.info('became leader', { lease: this.options.name, identity: this.options.identity });
          this.options.onStartedLeading();
        }
      } else if (this.leading && now - this.lastRenew > this.renewDeadlineMs) {
        this.leading = false;
        log.error('lost leadership: could not renew the lease in time', { lease: this.options.name });
        void this.options.onStoppedLeading();
      }
      await this.pause(this.retryPeriodMs);
    }
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  private async pause(ms: number): Promise<void> {
    const ac = new AbortController();
    this.wake = () => ac.abort();
    try {
      await sleep(ms, undefined, { signal: ac.signal });
    } catch {
      // woken by stop()
    } finally {
      this.wake = undefined;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, identity } = this.options;
    const now = new Date();
    const nowIso = microTime(now);
    const durationSeconds = Math.max(1, Math.round(this.options.leaseDurationMs / 1000));
    const current = await client.getOrNull<Lease>(this.path);
    if (!current) {
      try {
        await client.create<Lease>(
          `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases`,
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.options.name, namespace: this.options.namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: nowIso,
              renewTime: nowIso,
              leaseTransitions: 0,
            },
          },
        );
        this.notify(identity);
        return true;
      } catch (err) {
        if (isConflict(err) || (err as { code?: number }).code === 409) return false;
        throw err;
      }
    }

    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const rv = current.metadata.resourceVersion ?? '';
    if (!this.observed || this.observed.rv !== rv) {
      this.observed = { rv, holder, at: Date.now() };
      this.notify(holder);
    }
    const leaseMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    const expired = holder === '' || Date.now() > this.observed.at + leaseMs;
    if (holder !== identity && !expired) return false;

    const takingOver = holder !== identity;
    const updated: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: nowIso,
        acquireTime: takingOver ? nowIso : (spec.acquireTime ?? nowIso),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver && holder !== '' ? 1 : 0),
      },
    };
    try {
      const written = await client.update<Lease>(this.path, updated);
      this.observed = { rv: written.metadata.resourceVersion ?? '', holder: identity, at: Date.now() };
      if (takingOver) this.notify(identity);
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private notify(holder: string): void {
    if (!holder || holder === this.lastHolder) return;
    this.lastHolder = holder;
    this.options.onNewLeader?.(holder);
  }

  /** Hands the lease back: empty holder and a 1 s duration, as client-go's ReleaseOnCancel does. */
  private async release(): Promise<void> {
    try {
      const current = await this.options.client.getOrNull<Lease>(this.path);
      if (current?.spec?.holderIdentity !== this.options.identity) return;
      const now = microTime(new Date());
      await this.options.client.update<Lease>(this.path, {
        ...current,
        spec: {
          ...current.spec,
          holderIdentity: null,
          leaseDurationSeconds: 1,
          renewTime: now,
          acquireTime: now,
        },
      });
      this.options.logger.info('released leadership', { lease: this.options.name });
    } catch (err) {
      this.options.logger.warn('could not release the lease', { lease: this.options.name, err });
    }
  }
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
