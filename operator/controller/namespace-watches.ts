import type { KubeObject } from '../kube/types.js';
import { Watcher, type EventType, type WatcherOptions } from './watcher.js';

// Drift watches inside the tenant namespaces: one watch per kind per namespace, started once the
// operator may work in the namespace (its RoleBinding there is in place) and stopped with it.
// The operator holds no cluster-wide right to read Secrets, Roles or RoleBindings, so it cannot
// watch them across the cluster; a watch per namespace asks only for what it was granted.

/** What the controller watches in each tenant namespace (the tenant-namespace ClusterRole grants list+watch). */
export const NAMESPACE_WATCHES = [
  { resource: 'secrets', path: (ns: string) => `/api/v1/namespaces/${ns}/secrets` },
  { resource: 'roles', path: (ns: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles` },
  {
    resource: 'rolebindings',
    path: (ns: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
  },
] as const;

export type NamespaceWatchOptions = Omit<WatcherOptions<KubeObject>, 'path' | 'resource' | 'onEvent'> & {
  readonly onEvent: (type: EventType, obj: KubeObject) => void;
};

export class NamespaceWatches {
  private readonly watches = new Map<string, Array<Watcher<KubeObject>>>();
  private stopped = false;

  constructor(private readonly options: NamespaceWatchOptions) {}

  /** Namespaces watched now. */
  get namespaces(): string[] {
    return [...this.watches.keys()];
  }

  /** The watches of one namespace (tests restart or inspect them). */
  watchersOf(namespace: string): ReadonlyArray<Watcher<KubeObject>> {
    return this.watches.get(namespace) ?? [];
  }

  /** The namespace's watch of one kind, while it runs. */
  watcher(namespace: string, resource: string): Watcher<KubeObject> | undefined {
    const index = NAMESPACE_WATCHES.findIndex((w) => w.resource === resource);
    return this.watches.get(namespace)?.[index];
  }

  /** Starts the namespace's watches unless they run already. */
  ensure(namespace: string): void {
    if (this.stopped || this.watches.has(namespace)) return;
    const watchers = NAMESPACE_WATCHES.map(
      ({ resource, path }) =>
        new Watcher<KubeObject>({
          ...this.options,
          path: path(namespace),
          resource,
          onEvent: (type, obj) => {
            this.options.onEvent(type, obj);
          },
        }),
    );
    this.watches.set(namespace, watchers);
    for (const w of watchers) w.start();
  }

  /** Stops the namespace's watches (the namespace is gone, or its Tenant is). */
  async release(namespace: string): Promise<void> {
    const watchers = this.watches.get(namespace);
    if (!watchers) return;
    this.watches.delete(namespace);
    await Promise.all(watchers.map((w) => w.stop()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.namespaces.map((ns) => this.release(ns)));
  }
}
