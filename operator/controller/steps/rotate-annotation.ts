import { ROTATE_TOKEN_ANNOTATION, type Tenant } from '../../crd/types.js';
import { KubeApiError } from '../../kube/errors.js';
import { tenantPath, type StepContext } from './context.js';
import { noteWrite } from './reads.js';

/** Removes findash.io/rotate-token once handled, unless someone changed its value meanwhile. */
export async function clearRotateAnnotation(ctx: StepContext, tenant: Tenant, value: string): Promise<void> {
  const path = `/metadata/annotations/${ROTATE_TOKEN_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  try {
    const name = tenant.metadata.name ?? '';
    const updated = await ctx.client.jsonPatch<Tenant>(tenantPath(name), [
      { op: 'test', path, value },
      { op: 'remove', path },
    ]);
    noteWrite(ctx, { resource: 'tenants', name }, updated);
    ctx.event(
      tenant,
      'Normal',
      'TokensRotated',
      'RotateToken',
      `rotated tokens requested by ${ROTATE_TOKEN_ANNOTATION}: ${value}`,
    );
  } catch (err) {
    // 422 from the test op: the value changed, and the change queues another pass anyway.
    if (!(err instanceof KubeApiError && (err.code === 422 || err.code === 409))) throw err;
  }
}
