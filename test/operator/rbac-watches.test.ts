// The controller list-watches Tenants and, for drift, the kinds it owns, cluster-wide. Its ClusterRole must
// grant list and watch on each: without them every watch answers 403, the operator never reports ready, and a
// deploy waits for it until it rolls back (found running the operator as a real Pod under this ClusterRole).
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';

import { OWNED } from '../../operator/controller/tenant-controller.js';
import { repoRoot } from '../harness/repo-root.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe("the operator's ClusterRole", () => {
  const role = parseAllDocuments(
    readFileSync(path.join(repoRoot(), 'operator', 'rbac', 'clusterrole.yaml'), 'utf8'),
  )
    .map((doc) => doc.toJS() as { kind?: string; rules: Rule[] })
    .find((doc) => doc.kind === 'ClusterRole');
  if (!role) throw new Error('no ClusterRole in operator/rbac/clusterrole.yaml');
  const verbsOn = (resource: string) =>
    new Set(role.rules.filter((rule) => rule.resources.includes(resource)).flatMap((rule) => rule.verbs));

  it.each(['tenants', ...OWNED.map((owned) => owned.resource)])(
    'lets the controller list and watch %s',
    (resource) => {
      const verbs = verbsOn(resource);
      expect(verbs.has('list') && verbs.has('watch')).toBe(true);
    },
  );
});
