import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';

import { repoRoot } from '../harness/repo-root.js';

/**
 * Issue #17.7 (the part done): the operator's ClusterRole holds no verb its code does not use. It watches only
 * Tenants (operator/controller/watcher.ts), reads Namespaces, Roles and RoleBindings by name and lists Secrets
 * with its label selector, so it cannot stream every Secret in the cluster or enumerate its namespaces and RBAC.
 * test/operator/rbac.test.ts runs a whole Tenant lifecycle under exactly these rules on a real kube-apiserver.
 */
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
const [clusterRole] = parseAllDocuments(
  readFileSync(path.join(repoRoot(), 'operator', 'rbac', 'clusterrole.yaml'), 'utf8'),
).map((d) => d.toJS() as { kind: string; rules?: Rule[] });
const verbs = (resource: string) =>
  (clusterRole?.rules ?? [])
    .filter((r) => r.resources.includes(resource))
    .flatMap((r) => r.verbs)
    .sort();

describe('operator ClusterRole', () => {
  it('watches Tenants only', () => {
    const watched = (clusterRole?.rules ?? [])
      .filter((r) => r.verbs.includes('watch'))
      .flatMap((r) => r.resources);
    expect(watched).toEqual(['tenants']);
  });

  it('reads Namespaces, Roles and RoleBindings by name only, and never streams Secrets', () => {
    for (const resource of ['namespaces', 'roles', 'rolebindings']) {
      expect({ resource, verbs: verbs(resource) }).toEqual({
        resource,
        verbs: ['create', 'delete', 'get', 'patch'],
      });
    }
    // list (with the operator's label selector) and get stay: the owners' Role grants get/list on Secrets.
    expect(verbs('secrets')).toEqual(['create', 'delete', 'get', 'list', 'patch']);
  });

  it('grants nothing by wildcard', () => {
    for (const rule of clusterRole?.rules ?? []) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
    }
  });
});
