// The controller list-watches Tenants and tenant Namespaces cluster-wide, and Secrets, Roles and RoleBindings
// inside each tenant namespace. Its ClusterRole must grant list and watch on the first (without them every watch
// answers 403, the operator never reports ready, and a deploy waits for it until it rolls back — found running
// the operator as a real Pod), and the ClusterRole it binds to itself in each tenant namespace on the others.
// And the point of #17.7: nothing cluster-wide lets it read Secrets, Roles or RoleBindings.
import { describe, expect, it } from '@jest/globals';

import { NAMESPACE_WATCHES } from '../../operator/controller/namespace-watches.js';
import { CLUSTER_WATCHES } from '../../operator/controller/tenant-controller.js';
import { operatorRbacObjects } from './operator-rbac.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

function clusterRole(file: string, name: string): { rules: Rule[] } {
  const role = operatorRbacObjects().find(
    (doc) => doc.file === file && doc.object.kind === 'ClusterRole' && doc.object.metadata.name === name,
  );
  if (!role) throw new Error(`no ClusterRole ${name} in operator/rbac/${file}`);
  return role.object as unknown as { rules: Rule[] };
}

const verbsOn = (role: { rules: Rule[] }, resource: string) =>
  new Set(role.rules.filter((rule) => rule.resources.includes(resource)).flatMap((rule) => rule.verbs));

describe("the operator's ClusterRole (cluster-wide)", () => {
  const role = clusterRole('clusterrole.yaml', 'findash-operator');

  it.each(['tenants', ...CLUSTER_WATCHES.map((w) => w.resource)])(
    'lets the controller list and watch %s',
    (resource) => {
      const verbs = verbsOn(role, resource);
      expect(verbs.has('list') && verbs.has('watch')).toBe(true);
    },
  );

  it.each(NAMESPACE_WATCHES.map((w) => w.resource))(
    'does not let it get, list, watch, change or delete %s anywhere',
    (resource) => {
      const verbs = verbsOn(role, resource);
      for (const verb of ['get', 'list', 'watch', 'update', 'patch', 'delete', 'deletecollection', '*']) {
        expect([resource, verb, verbs.has(verb)]).toEqual([resource, verb, false]);
      }
    },
  );

  it('only creates RoleBindings (to give itself the tenant-namespace ClusterRole) and binds only that role', () => {
    expect([...verbsOn(role, 'rolebindings')]).toEqual(['create']);
    expect(role.rules.filter((r) => r.resources.includes('clusterroles'))).toEqual([
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['clusterroles'],
        resourceNames: ['findash-operator-tenant-namespace'],
        verbs: ['bind'],
      },
    ]);
  });
});

describe('the ClusterRole it binds to itself in each tenant namespace', () => {
  const role = clusterRole('tenant-namespace-role.yaml', 'findash-operator-tenant-namespace');

  it.each(NAMESPACE_WATCHES.map((w) => w.resource))('lets the controller list and watch %s', (resource) => {
    const verbs = verbsOn(role, resource);
    expect(verbs.has('list') && verbs.has('watch')).toBe(true);
  });
});
