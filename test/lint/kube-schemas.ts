// JSON schemas for kubeconform, made offline from what this repository already pins: the Kubernetes OpenAPI
// document of the k8s.io/kubernetes module the test cluster is built from (api/openapi-spec/swagger.json in the
// Go module cache, there once ensure-tools.sh has built kube-apiserver), and the CRDs the repository ships
// (Tenant, prometheus-operator, CloudNativePG, RabbitMQ). The conversion is openapi2jsonschema's
// "standalone-strict": every $ref inlined, and objects with declared properties reject unknown ones.
// Written to ~/.cache/findash/kube-schemas/<version>/<group>/<kind>-<version>.json (core group: "v1").
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseAllDocuments } from 'yaml';

import { repoRoot } from '../harness/repo-root.js';

type Schema = Record<string, unknown>;

/** kubeconform's -schema-location template for the layout written here. */
export const SCHEMA_TEMPLATE = '{{ .Group }}/{{ .ResourceKind }}-{{ .ResourceAPIVersion }}.json';

export function kubernetesVersion(): string {
  const mod = readFileSync(path.join(repoRoot(), 'test', 'harness', 'go-tools', 'kube', 'go.mod'), 'utf8');
  const version = /^\s*(?:require\s+)?k8s\.io\/kubernetes\s+(v\S+)/m.exec(mod)?.[1];
  if (!version) throw new Error('no k8s.io/kubernetes version in test/harness/go-tools/kube/go.mod');
  return version;
}

function swaggerPath(version: string): string {
  const cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const file = path.join(cache, `k8s.io/kubernetes@${version}`, 'api', 'openapi-spec', 'swagger.json');
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: run \`npm run tools\` (building kube-apiserver downloads k8s.io/kubernetes ${version})`,
    );
  }
  return file;
}

function strict(schema: Schema, nullable: boolean): Schema {
  const out: Schema = { ...schema };
  delete out['x-kubernetes-group-version-kind'];
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out['x-kubernetes-preserve-unknown-fields']
  ) {
    out.additionalProperties = false;
  }
  if (nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/** Inlines every #/definitions/... reference; a reference back into its own expansion is left open ({}). */
function inline(
  node: unknown,
  definitions: Record<string, Schema>,
  stack: string[],
  nullable: boolean,
): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(n, definitions, stack, nullable));
  if (!node || typeof node !== 'object') return node;
  const schema = node as Schema;
  const ref = schema.$ref as string | undefined;
  if (ref) {
    const name = ref.replace('#/definitions/', '');
    if (stack.includes(name)) return {};
    return inline(definitions[name], definitions, [...stack, name], nullable);
  }
  if (schema.format === 'int-or-string')
    return { oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] };
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([p, v]) => [
          p,
          inline(v, definitions, stack, true),
        ]),
      );
    } else if (
      key === 'items' ||
      key === 'additionalProperties' ||
      key === 'allOf' ||
      key === 'oneOf' ||
      key === 'anyOf'
    ) {
      out[key] = inline(value, definitions, stack, true);
    } else out[key] = value;
  }
  return strict(out, nullable);
}

function write(dir: string, group: string, kind: string, version: string, schema: unknown): void {
  const folder = path.join(dir, group || 'v1');
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, `${kind.toLowerCase()}-${version}.json`), JSON.stringify(schema));
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => /\.ya?ml$/.test(f) && statSync(f).isFile());
}

/** The CRDs this repository ships. */
export function crdFiles(): string[] {
  const root = repoRoot();
  return [
    ...yamlFiles(path.join(root, 'charts', 'findash', 'crds')),
    ...yamlFiles(path.join(root, 'cdk8s', 'crds')),
  ];
}

/** Builds (once per Kubernetes version and CRD set) and returns the schema directory. */
export function ensureKubeSchemas(): string {
  const version = kubernetesVersion();
  const crds = crdFiles();
  const stamp = `3 ${version} ${crds.map((f) => `${path.basename(f)}:${String(statSync(f).mtimeMs)}`).join(',')}`;
  const dir = path.join(
    process.env.FINDASH_CACHE ?? path.join(os.homedir(), '.cache', 'findash'),
    'kube-schemas',
    version,
  );
  const stampFile = path.join(dir, '.stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return dir;

  const swagger = JSON.parse(readFileSync(swaggerPath(version), 'utf8')) as {
    definitions: Record<string, Schema>;
  };
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    const gvks = definition['x-kubernetes-group-version-kind'] as
      { group: string; version: string; kind: string }[] | undefined;
    if (!gvks) continue;
    const schema = inline(definition, swagger.definitions, [name], false);
    for (const gvk of gvks) write(dir, gvk.group, gvk.kind, gvk.version, schema);
  }
  for (const file of crds) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS() as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string };
          versions: { name: string; schema?: { openAPIV3Schema: Schema } }[];
        };
      } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const v of crd.spec.versions) {
        if (v.schema)
          write(
            dir,
            crd.spec.group,
            crd.spec.names.kind,
            v.name,
            inline(v.schema.openAPIV3Schema, {}, [], false),
          );
      }
    }
  }
  writeFileSync(stampFile, stamp);
  return dir;
}
