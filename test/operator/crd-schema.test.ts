import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';

import { SCHEMA_DEFAULTS, SCHEMA_ENUMS, SCHEMA_OBJECTS } from '../../operator/crd/schema-fields.js';
import { CONDITION_TYPES, GROUP, KIND, PLURAL, VERSION } from '../../operator/crd/types.js';
import { CRD_PATH } from './harness.js';

// The Tenant CRD's YAML is the schema's one source; operator/crd/types.ts mirrors it for the
// compiler. This holds the two together: every object's fields, required lists and JSON types,
// every enum and every default must agree (schema-fields.ts states the types' side as values, and
// `tsc` holds those to the interfaces).

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  enum?: string[];
  default?: unknown;
  description?: string;
}

interface Crd {
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: Array<{ name: string; schema: { openAPIV3Schema: SchemaNode } }>;
  };
}

const crd = parseYaml(readFileSync(CRD_PATH, 'utf8')) as Crd;
const root = crd.spec.versions[0]!.schema.openAPIV3Schema;

/** Every node of the schema by path ('' the root, '[]' an array's items). */
function nodes(node: SchemaNode, path = ''): Array<[string, SchemaNode]> {
  const out: Array<[string, SchemaNode]> = [[path, node]];
  for (const [name, child] of Object.entries(node.properties ?? {}))
    out.push(...nodes(child, `${path}.${name}`));
  if (node.items) out.push(...nodes(node.items, `${path}[]`));
  return out;
}

const all = nodes(root);

/** An object's fields as schema-fields.ts writes them: JSON type, '?' unless required. */
function yamlFields(node: SchemaNode): Record<string, string> {
  const required = new Set(node.required ?? []);
  return Object.fromEntries(
    Object.entries(node.properties ?? {}).map(([name, child]) => [
      name,
      `${child.type ?? ''}${required.has(name) ? '' : '?'}`,
    ]),
  );
}

describe('Tenant CRD schema and operator/crd/types.ts agree', () => {
  it('names the same group, version, kind and plural', () => {
    expect(crd.spec.group).toBe(GROUP);
    expect(crd.spec.versions.map((v) => v.name)).toEqual([VERSION]);
    expect(crd.spec.names.kind).toBe(KIND);
    expect(crd.spec.names.plural).toBe(PLURAL);
  });

  it('has the top-level fields the Tenant type has, spec required', () => {
    expect(Object.keys(root.properties ?? {}).sort()).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
      'status',
    ]);
    expect(root.required).toEqual(['spec']);
  });

  it('has the same objects, each with the same fields, JSON types and required list', () => {
    const objects = all.filter(([path, node]) => path !== '' && node.properties !== undefined);
    expect(objects.map(([path]) => path).sort()).toEqual(Object.keys(SCHEMA_OBJECTS).sort());
    for (const [path, node] of objects) {
      expect({ path, fields: yamlFields(node) }).toEqual({ path, fields: SCHEMA_OBJECTS[path] });
    }
  });

  it('has the same enums, value for value', () => {
    const enums = all.filter(([, node]) => node.enum !== undefined);
    expect(Object.fromEntries(enums.map(([path, node]) => [path, node.enum]))).toEqual(SCHEMA_ENUMS);
  });

  it('has the defaults the operator assumes for absent fields', () => {
    const defaults = all.filter(([, node]) => node.default !== undefined);
    expect(Object.fromEntries(defaults.map(([path, node]) => [path, node.default]))).toEqual(SCHEMA_DEFAULTS);
  });

  it('documents every condition type the operator sets', () => {
    const conditions = all.find(([path]) => path === '.status.conditions')?.[1];
    for (const type of CONDITION_TYPES) expect(conditions?.description).toContain(type);
  });
});
