import type { Tenant } from '../crd/types.js';
import type { KubeObject } from '../kube/types.js';
import type { NamespaceWatches } from './namespace-watches.js';
import type { Watcher } from './watcher.js';

/**
 * The reconciler's reads from the controller's watch caches, so a pass over a converged Tenant does
 * not ask the API server again for what the watches already hold. The cache answers only
 *  - from a watch that has listed and is not failing (a watch that lost its access, say, holds an
 *    old picture);
 *  - for an object it holds: absence is for the API server to say, since a cache that lags behind
 *    a create would send the reconciler to create it again;
 *  - and not for an object the reconciler wrote until the watch has shown that write, because a
 *    pass right after our own write must not act on the copy from before it (a Secret still holding
 *    its old token would look lost, and its client would get yet another one).
 * Otherwise it answers undefined, and the caller reads from the API server.
 */

export type CachedResource = 'tenants' | 'namespaces' | 'secrets' | 'roles' | 'rolebindings';

/** What the reconciler's steps read through (steps/reads.ts) and tell about their writes. */
export interface ObjectCache {
  /** The held copy (its type is the caller's to know, as with any read by path). */
  get(resource: CachedResource, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Every held object of `resource` in `namespace` that `select` accepts. */
  list<T extends KubeObject>(
    resource: CachedResource,
    namespace: string,
    select: (obj: T) => boolean,
  ): T[] | undefined;
  /** We wrote `obj` (null: deleted it): until the watch shows it, reads of it go to the API server. */
  wrote(resource: CachedResource, namespace: string | undefined, name: string, obj: KubeObject | null): void;
}

/** How long a write of ours is waited for: a relist (after 410 Gone) may skip straight past it. */
const WRITE_VISIBLE_WITHIN_MS = 30_000;

interface OwnWrite {
  /** undefined: we deleted it. */
  readonly resourceVersion: string | undefined;
  readonly at: number;
}

export interface CachedWatches {
  readonly tenants: Watcher<Tenant>;
  readonly namespaces: Watcher<KubeObject> | undefined;
  readonly inNamespaces: NamespaceWatches;
}

export class WatchCache implements ObjectCache {
  private readonly writes = new Map<string, OwnWrite>();
  private sweptAt = 0;

  constructor(private readonly watches: CachedWatches) {}

  get(resource: CachedResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const watcher = this.watcher(resource, namespace);
    if (!watcher?.fresh) return undefined;
    const key = storeKey(namespace, name);
    if (!watcher.store.has(key) || !this.showsOurWrite(resource, key, watcher)) return undefined;
    return watcher.store.get(key);
  }

  list<T extends KubeObject>(
    resource: CachedResource,
    namespace: string,
    select: (obj: T) => boolean,
  ): T[] | undefined {
    const watcher = this.watcher(resource, namespace);
    if (!watcher?.fresh) return undefined;
    const prefix = `${resource}:${namespace}/`;
    for (const key of this.writes.keys()) {
      if (key.startsWith(prefix) && !this.showsOurWrite(resource, key.slice(resource.length + 1), watcher)) {
        return undefined;
      }
    }
    return [...watcher.store.values()].filter(
      (obj) => obj.metadata.namespace === namespace && select(obj as T),
    ) as T[];
  }

  wrote(resource: CachedResource, namespace: string | undefined, name: string, obj: KubeObject | null): void {
    this.sweep();
    this.writes.set(`${resource}:${storeKey(namespace, name)}`, {
      resourceVersion: obj ? (obj.metadata.resourceVersion ?? '') : undefined,
      at: Date.now(),
    });
  }

  private watcher(resource: CachedResource, namespace: string | undefined): Watcher<KubeObject> | undefined {
    if (resource === 'tenants') return this.watches.tenants as unknown as Watcher<KubeObject>;
    if (resource === 'namespaces') return this.watches.namespaces;
    return namespace === undefined ? undefined : this.watches.inNamespaces.watcher(namespace, resource);
  }

  /** The store shows our last write of `key` (or there is none to wait for); forgets the write once it does. */
  private showsOurWrite(resource: CachedResource, key: string, watcher: Watcher<KubeObject>): boolean {
    const writeKey = `${resource}:${key}`;
    const write = this.writes.get(writeKey);
    if (!write) return true;
    const held = watcher.store.get(key);
    const shown =
      write.resourceVersion === undefined ? !held : held?.metadata.resourceVersion === write.resourceVersion;
    if (!shown && Date.now() - write.at < WRITE_VISIBLE_WITHIN_MS) return false;
    this.writes.delete(writeKey);
    return true;
  }

  /** Forgets writes waited for long enough (at most once a second: it walks them all). */
  private sweep(): void {
    const now = Date.now();
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [key, write] of this.writes) {
      if (now - write.at >= WRITE_VISIBLE_WITHIN_MS) this.writes.delete(key);
    }
  }
}

/** The watch store's key: namespace/name, or the name alone for cluster-scoped objects. */
function storeKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
