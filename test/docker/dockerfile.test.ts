import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';

// The image is only ever built on CI runners with Docker; here the Dockerfile is checked structurally with a real
// Dockerfile parser so a change that would ship dev dependencies or root to production fails fast.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dockerfile = DockerfileParser.parse(readFileSync(join(root, 'Dockerfile'), 'utf8'));

interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

function stages(): Stage[] {
  return dockerfile.getFROMs().map((from, i, all) => {
    const start = from.getRange().start.line;
    const end = all[i + 1]?.getRange().start.line ?? Number.MAX_SAFE_INTEGER;
    return {
      name: from.getBuildStage() ?? String(i),
      from: from.getImageName() ?? '',
      instructions: dockerfile.getInstructions().filter((ins) => {
        const line = ins.getRange().start.line;
        return line > start && line < end;
      }),
    };
  });
}

function stage(name: string): Stage {
  const found = stages().find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
}

function byKeyword(s: Stage, keyword: string): Instruction[] {
  return s.instructions.filter((i) => i.getKeyword() === keyword);
}

const args = (ins: Instruction): string => ins.getArgumentsContent() ?? '';
const copyFrom = (ins: Instruction): string | undefined =>
  ins instanceof Copy ? (ins.getFromFlag()?.getValue() ?? undefined) : undefined;

/** Stages whose files end up in `name`: its FROM ancestors and every stage it COPY --from's. */
function closure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  const s = stages().find((x) => x.name === name);
  if (!s) return seen;
  seen.add(name);
  closure(s.from, seen);
  for (const copy of byKeyword(s, 'COPY')) {
    const from = copyFrom(copy);
    if (from) closure(from, seen);
  }
  return seen;
}

describe('Dockerfile', () => {
  it('has the development, testing and production targets, production last so a plain build ships it', () => {
    const names = stages().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['development', 'testing', 'production']));
    expect(names.at(-1)).toBe('production');
  });

  it('builds on a pinned Debian slim Node LTS image', () => {
    const arg = dockerfile.getARGs().find((a) => a.getProperty()?.getName() === 'NODE_VERSION');
    const version = arg?.getProperty()?.getValue() ?? '';
    expect(version).toMatch(/^(20|22)\.\d+\.\d+$/);
    for (const from of dockerfile.getFROMs()) {
      const image = from.getImage() ?? '';
      if (stages().some((s) => s.name === image)) continue; // FROM <earlier stage>
      expect(image).toBe('node:${NODE_VERSION}-bookworm-slim');
    }
  });

  it('runs production as the numeric non-root user 10001 with the API as default command', () => {
    const prod = stage('production');
    const user = byKeyword(prod, 'USER').at(-1);
    expect(user && args(user)).toMatch(/^10001(:10001)?$/);
    expect(byKeyword(prod, 'EXPOSE').map(args)).toContain('8000 9464');
    const cmd = byKeyword(prod, 'CMD').at(-1);
    expect(cmd && JSON.parse(args(cmd))).toEqual([
      'node',
      '--import',
      './dist/app/telemetry.js',
      'dist/app/server.js',
    ]);
    expect(byKeyword(prod, 'ENTRYPOINT')).toHaveLength(0); // operator/migrate override `command` only
  });

  it('ships only production dependencies in the production image', () => {
    const prod = stage('production');
    for (const run of byKeyword(prod, 'RUN')) expect(args(run)).not.toMatch(/npm (ci|install)/);
    const modulesFrom = byKeyword(prod, 'COPY')
      .filter((c) => args(c).includes('node_modules'))
      .map(copyFrom);
    expect(modulesFrom).toHaveLength(1);
    const source = stage(modulesFrom[0]!);
    const installs = byKeyword(source, 'RUN')
      .map(args)
      .filter((a) => /npm ci/.test(a));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toMatch(/npm ci --omit=dev/);
    // The full dependency stage must not leak in through a base image or another COPY --from.
    expect(closure('production').has('deps')).toBe(false);
  });

  it('compiles dist/ with the build script from app, operator and migrations', () => {
    const build = stage('build');
    const runs = byKeyword(build, 'RUN').map(args);
    expect(runs.some((r) => r.includes('npm run build'))).toBe(true);
    const copied = byKeyword(build, 'COPY').map(args).join('\n');
    for (const dir of ['app', 'operator', 'migrations', 'tsconfig.build.json']) expect(copied).toContain(dir);
    const dist = byKeyword(stage('production'), 'COPY').find((c) => args(c) === '/app/dist ./dist');
    expect(dist && copyFrom(dist)).toBe('build');
  });

  it('leaves health checking to Kubernetes probes', () => {
    expect(dockerfile.getInstructions().filter((i) => i.getKeyword() === 'HEALTHCHECK')).toHaveLength(0);
  });

  it('runs development and testing as 10001 too', () => {
    for (const name of ['development', 'testing']) {
      expect(byKeyword(stage(name), 'USER').map(args).at(-1)).toMatch(/^10001(:10001)?$/);
    }
    expect(JSON.parse(args(byKeyword(stage('development'), 'CMD').at(-1)!))).toEqual(['npm', 'run', 'dev']);
  });

  it('keeps secrets and host build output out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['.git', 'node_modules', 'dist', '.findash', '.env', '.env.*']),
    );
  });
});
