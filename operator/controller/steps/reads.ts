import { TENANTS_PATH } from '../../crd/types.js';
import type { KubeObject } from '../../kube/types.js';
import type { CachedResource } from '../watch-cache.js';
import type { StepContext } from './context.js';

/** One object the operator reads and writes: its resource as the watches name it, namespace and name. */
export interface ObjectRef {
  readonly resource: CachedResource;
  /** Unset for cluster-scoped objects (Tenants, Namespaces). */
  readonly namespace?: string;
  readonly name: string;
}

export function objectPath({ resource, namespace, name }: ObjectRef): string {
  switch (resource) {
    case 'tenants':
      return `${TENANTS_PATH}/${name}`;
    case 'namespaces':
      return `/api/v1/namespaces/${name}`;
    case 'secrets':
      return `/api/v1/namespaces/${namespace ?? ''}/secrets/${name}`;
    case 'roles':
    case 'rolebindings':
      return `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace ?? ''}/${resource}/${name}`;
  }
}

/** The object from the controller's watch cache when it can answer (see watch-cache.ts), else from the API server (null: absent). */
export async function readObject<T extends KubeObject>(ctx: StepContext, ref: ObjectRef): Promise<T | null> {
  const cached = ctx.cache()?.get(ref.resource, ref.namespace, ref.name) as T | undefined;
  return cached ?? ctx.client.getOrNull<T>(objectPath(ref));
}

/** Tells the cache we wrote (or, with null, deleted) the object, so the next pass does not read the copy from before. */
export function noteWrite(ctx: StepContext, ref: ObjectRef, obj: KubeObject | null): void {
  ctx.cache()?.wrote(ref.resource, ref.namespace, ref.name, obj);
}
