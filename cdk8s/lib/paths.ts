// Files the manifests are built from live elsewhere in the repository; these resolve them from here,
// whatever the current directory.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Tenant CRD the operator work owns; FINDASH_TENANT_CRD points elsewhere (tests of this code only). */
export function tenantCrdPath(): string {
  return (
    process.env.FINDASH_TENANT_CRD ??
    path.join(REPO_ROOT, 'charts', 'findash', 'crds', 'findash.io_tenants.yaml')
  );
}

export const PROMETHEUS_RULES_DIR = path.join(REPO_ROOT, 'monitoring', 'prometheus', 'rules');
export const GRAFANA_DASHBOARDS_DIR = path.join(REPO_ROOT, 'monitoring', 'grafana', 'dashboards');

/** package.json's version: the product version labels and released image tags carry. */
export const PRODUCT_VERSION: string = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
