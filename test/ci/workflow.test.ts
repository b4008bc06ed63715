import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { toolsBinDir } from '../harness/kube.js';
import { repoRoot } from '../harness/repo-root.js';
import { run } from '../charts/helm.js';

/** .github/workflows/ci.yml: linted by actionlint (which also shellchecks every run: block) and its pipeline checked. */

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  'timeout-minutes'?: number;
  if?: string;
  environment?: { name: string; url?: string } | string;
  permissions?: Record<string, string>;
  strategy?: { matrix: Record<string, string[]> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const root = repoRoot();
const file = path.join(root, '.github', 'workflows', 'ci.yml');
const workflow = parse(readFileSync(file, 'utf8')) as Workflow;
const job = (name: string): Job => {
  const found = workflow.jobs[name];
  if (!found) throw new Error(`no job ${name}`);
  return found;
};
const needs = (name: string): string[] => [job(name).needs ?? []].flat().sort();
const runs = (name: string): string =>
  job(name)
    .steps.map((s) => s.run ?? '')
    .join('\n');

describe('.github/workflows/ci.yml', () => {
  it('passes actionlint, including shellcheck of every run: script', async () => {
    const actionlint = path.join(toolsBinDir(), 'actionlint');
    if (!existsSync(actionlint))
      throw new Error(`actionlint not built: run \`npm run tools\` (expected ${actionlint})`);
    const result = await run(actionlint, ['-no-color', '-oneline', file]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('runs lint -> typecheck -> tests -> images -> security and kind deploy -> staging -> production', () => {
    expect(needs('lint')).toEqual([]);
    expect(needs('typecheck')).toEqual([]);
    expect(needs('test')).toEqual(['lint', 'typecheck']);
    expect(needs('build-images')).toEqual(['test']);
    expect(needs('security')).toEqual(['build-images']);
    expect(needs('deploy-kind')).toEqual(['build-images']);
    expect(needs('deploy-staging')).toEqual(expect.arrayContaining(['deploy-kind', 'security']));
    expect(needs('deploy-production')).toEqual(expect.arrayContaining(['deploy-staging']));
  });

  it('runs the real test suite with the harness-provisioned services', () => {
    expect(runs('lint')).toContain('npm run lint');
    expect(runs('typecheck')).toContain('npm run typecheck');
    expect(runs('typecheck')).toContain('npm run build');
    expect(runs('test')).toMatch(/apt-get install .*memcached rabbitmq-server prometheus/);
  });

  it('runs local CI (.ci/run) as its test job, so the workflow and `.ci/run` are one definition', () => {
    const commands = runs('test')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(commands).toContain('.ci/run');
    // Nothing the script already does (npm ci, typecheck, lint, npm test, e2e) is repeated beside it.
    expect(commands.filter((c) => /\bnpm (ci|test|run)\b/.test(c))).toEqual([]);
    expect(statSync(path.join(root, '.ci', 'run')).mode & 0o111).not.toBe(0);
    // .ci/run bounds itself by CI's 90 minutes (what e2e:k8s gets is what is left): the job must outlast that.
    expect(readFileSync(path.join(root, '.ci', 'run'), 'utf8')).toContain('budget=$((5400 - SECONDS');
    expect(job('test')['timeout-minutes']).toBeGreaterThan(90);
  });

  it('takes Go from the tools go.mod, which asks for at least what every wrapper module needs', () => {
    const toolsDir = path.join(root, 'test', 'harness', 'go-tools');
    const goLine = (file: string): string => {
      const found = /^go (\d+\.\d+(?:\.\d+)?)\s*$/m.exec(readFileSync(file, 'utf8'));
      if (!found?.[1]) throw new Error(`${file} has no go directive`);
      return found[1];
    };
    const newer = (a: string, b: string): boolean => {
      const [x, y] = [a, b].map((v) => [...v.split('.').map(Number), 0, 0, 0].slice(0, 3));
      const i = x!.findIndex((n, k) => n !== y![k]);
      return i >= 0 && x![i]! > y![i]!;
    };
    const pinned = goLine(path.join(toolsDir, 'go.mod'));
    for (const dir of readdirSync(toolsDir, { withFileTypes: true })) {
      const mod = path.join(toolsDir, dir.name, 'go.mod');
      if (!dir.isDirectory() || !existsSync(mod)) continue;
      // ensure-tools.sh builds with GOTOOLCHAIN=local: the installed Go must be at least each module's.
      expect({ module: dir.name, needs: goLine(mod), newerThanPin: newer(goLine(mod), pinned) }).toEqual({
        module: dir.name,
        needs: goLine(mod),
        newerThanPin: false,
      });
    }
    const setups = Object.entries(workflow.jobs).flatMap(([name, j]) =>
      j.steps
        .filter((s) => s.uses?.startsWith('actions/setup-go@'))
        .map((s) => ({ job: name, with: s.with })),
    );
    expect(setups.map((s) => s.job).sort()).toEqual(['deploy-kind', 'test']);
    for (const setup of setups) {
      expect(setup).toEqual({
        job: setup.job,
        with: expect.objectContaining({ 'go-version-file': 'test/harness/go-tools/go.mod' }) as unknown,
      });
      expect(setup.with).not.toHaveProperty('go-version');
    }
    expect(readFileSync(file, 'utf8')).not.toContain('GO_VERSION');
  });

  it('builds multi-arch images with buildx and pushes to GHCR only from main', () => {
    const build = job('build-images');
    expect(build.permissions).toMatchObject({ packages: 'write' });
    expect(build.steps.map((s) => s.uses ?? '')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^docker\/setup-qemu-action@/),
        expect.stringMatching(/^docker\/setup-buildx-action@/),
      ]),
    );
    const login = build.steps.find((s) => s.uses?.startsWith('docker/login-action@'));
    expect(login?.with?.registry).toBe('ghcr.io');
    expect(JSON.stringify(login)).toContain("github.ref == 'refs/heads/main'");
    expect(runs('build-images')).toContain('--platform "linux/amd64,linux/arm64"');
    expect(runs('build-images')).toMatch(
      /if \[ "\$PUSH" = true \]; then args\+=\(--tag "\$VERSION" --push\); fi/,
    );
  });

  it('audits runtime dependencies and scans the image', () => {
    expect(runs('security')).toContain('npm audit --omit=dev --audit-level=high');
    const trivy = job('security').steps.find((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
    expect(trivy?.with).toMatchObject({ 'image-ref': 'findash:dev', 'exit-code': '1' });
  });

  it('deploys the testing environment to kind with both methods and smoke/load tests it', () => {
    const kind = job('deploy-kind');
    expect(kind.strategy?.matrix.method).toEqual(['cdk8s', 'helm']);
    expect(runs('deploy-kind')).toContain('ci/kind-up.sh findash:dev');
    expect(runs('deploy-kind')).toContain('ci/deploy.sh testing "--${{ matrix.method }}"');
    expect(runs('deploy-kind')).toContain('ci/smoke-test.sh http://127.0.0.1:18080 "$token"');
    // The limit is checked with the smoke tenant (default 600/min); throughput with the load-test tenant,
    // whose Tenant raises its limit above the 2,000 requests the load test sends.
    expect(runs('deploy-kind')).toContain(
      'LOAD_EXPECT_RATE_LIMIT=1 ci/load-test.sh http://127.0.0.1:18080 "$token"',
    );
    expect(runs('deploy-kind')).toContain('kubectl apply -f ci/load-test-tenant.yaml');
    expect(runs('deploy-kind')).toContain(
      'LOAD_REQUESTS=2000 LOAD_CONNECTIONS=10 ci/load-test.sh http://127.0.0.1:18080 "$load_token"',
    );
    const tenant = parse(readFileSync(path.join(root, 'ci', 'load-test-tenant.yaml'), 'utf8')) as {
      spec: { limits: { requestsPerMinute: number }; apiClients: { name: string }[] };
    };
    expect(tenant.spec.apiClients.map((c) => c.name)).toEqual(['load']);
    // 2,000 requests at >= 50 req/s finish within a minute: all of them must fit under the limit.
    expect(tenant.spec.limits.requestsPerMinute).toBeGreaterThanOrEqual(2000);
  });

  it('deploys staging and production only from main, behind environment approvals', () => {
    for (const [name, env] of [
      ['deploy-staging', 'staging'],
      ['deploy-production', 'production'],
    ] as const) {
      const deploy = job(name);
      expect(deploy.environment).toMatchObject({ name: env });
      expect(deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
      expect(runs(name)).toContain(`ci/deploy.sh ${env} --kubeconfig`);
      expect(runs(name)).toContain('--image "$IMAGE:$TAG"');
    }
  });

  it('pins every action to a version and calls only scripts that exist and are executable', () => {
    for (const [name, j] of Object.entries(workflow.jobs)) {
      for (const step of j.steps) {
        if (step.uses)
          expect({ job: name, uses: step.uses }).toEqual({ job: name, uses: expect.stringMatching(/@v?\d/) });
      }
    }
    const scripts = new Set(
      Object.values(workflow.jobs)
        .flatMap((j) => j.steps.map((s) => s.run ?? ''))
        .flatMap((script) => [...script.matchAll(/(?:^|\s)((?:ci|test)\/[\w./-]+\.sh)/g)].map((m) => m[1]!)),
    );
    expect(scripts.size).toBeGreaterThanOrEqual(5);
    for (const script of scripts) {
      const full = path.join(root, script);
      expect({ script, exists: existsSync(full) }).toEqual({ script, exists: true });
      if (!script.startsWith('test/'))
        expect({ script, mode: statSync(full).mode & 0o111 }).not.toEqual({ script, mode: 0 });
    }
  });
});
