// Reads the alerting/recording rules and Grafana dashboards the monitoring work keeps under
// monitoring/. Both are optional at synth time: a missing or empty folder is reported and skipped,
// so the manifests never wait on dashboards to exist.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Yaml } from 'cdk8s';

export interface RuleSpec {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly keepFiringFor?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleGroupSpec {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly RuleSpec[];
}

export interface RuleFile {
  /** File name without extension, e.g. `api-alerts`. */
  readonly name: string;
  readonly groups: readonly RuleGroupSpec[];
}

export interface DashboardFile {
  readonly name: string;
  readonly fileName: string;
  readonly json: string;
}

function filesWithExtension(
  dir: string,
  extension: string,
  what: string,
  warn: (message: string) => void,
): string[] {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(extension))
        .sort()
    : [];
  if (files.length === 0) warn(`no ${what} (*${extension}) in ${dir}: skipped`);
  return files;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A YAML scalar as Prometheus reads it (numbers and booleans in rule files are strings to it). */
function scalar(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${where}: expected a string`);
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw new Error(`${where}: expected a map of strings`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scalar(v, `${where}.${k}`)]));
}

function optionalString(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : scalar(value, where);
}

function parseRule(value: unknown, where: string): RuleSpec {
  if (!isRecord(value) || value.expr === undefined) throw new Error(`${where}: a rule needs an expr`);
  if ((value.alert === undefined) === (value.record === undefined)) {
    throw new Error(`${where}: a rule is either an alert or a record`);
  }
  return {
    alert: optionalString(value.alert, `${where}.alert`),
    record: optionalString(value.record, `${where}.record`),
    expr: scalar(value.expr, `${where}.expr`),
    for: optionalString(value.for, `${where}.for`),
    keepFiringFor: optionalString(value.keep_firing_for, `${where}.keep_firing_for`),
    labels: stringMap(value.labels, `${where}.labels`),
    annotations: stringMap(value.annotations, `${where}.annotations`),
  };
}

/** Parses one Prometheus rule file (`groups: [{ name, rules: [...] }]`). */
export function parseRuleFile(name: string, document: unknown): RuleFile {
  if (!isRecord(document) || !Array.isArray(document.groups)) {
    throw new Error(`${name}: a Prometheus rule file has a top-level groups list`);
  }
  const groups = document.groups.map((group: unknown, i): RuleGroupSpec => {
    const where = `${name}.groups[${i}]`;
    if (!isRecord(group) || typeof group.name !== 'string' || !Array.isArray(group.rules)) {
      throw new Error(`${where}: a group has a name and a rules list`);
    }
    return {
      name: group.name,
      interval: optionalString(group.interval, `${where}.interval`),
      rules: group.rules.map((rule: unknown, j) => parseRule(rule, `${where}.rules[${j}]`)),
    };
  });
  return { name, groups };
}

export function readRuleFiles(dir: string, warn: (message: string) => void): RuleFile[] {
  return filesWithExtension(dir, '.yaml', 'Prometheus rule files', warn).map((file) => {
    const documents = Yaml.load(path.join(dir, file));
    return parseRuleFile(path.basename(file, '.yaml'), documents[0]);
  });
}

export function readDashboards(dir: string, warn: (message: string) => void): DashboardFile[] {
  return filesWithExtension(dir, '.json', 'Grafana dashboards', warn).map((fileName) => {
    const json = readFileSync(path.join(dir, fileName), 'utf8');
    JSON.parse(json); // a broken dashboard fails the synth rather than Grafana's sidecar
    return { name: path.basename(fileName, '.json'), fileName, json };
  });
}
