import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { ENVIRONMENTS } from '../../cdk8s/environments.js';
import { repoRoot } from '../harness/repo-root.js';
import { runScript } from './run-script.js';

/**
 * One image tag scheme everywhere (issue #17.3): every build is tagged <version>-<sha12>, a build of main also
 * moves <version>, and <version> (package.json) is what the cdk8s manifests and the chart (appVersion) deploy by
 * default, so the default image is one CI actually publishes. Before, the manifests and chart defaulted to
 * :0.1.0 while CI pushed only :<sha> and :main.
 */
const root = repoRoot();
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;
const REPOSITORY = 'ghcr.io/findash/findash';

interface Step {
  id?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  env: Record<string, string>;
  jobs: Record<string, { steps: Step[]; outputs?: Record<string, string> }>;
}
const workflow = parse(readFileSync(path.join(root, '.github', 'workflows', 'ci.yml'), 'utf8')) as Workflow;

let bin: string;
let calls: string;
beforeAll(async () => {
  bin = await mkdtemp(path.join(os.tmpdir(), 'findash-tags-'));
  calls = path.join(bin, 'calls.log');
  await writeFile(path.join(bin, 'docker'), `#!/usr/bin/env bash\necho "docker $*" >> "${calls}"\nexit 0\n`);
  await chmod(path.join(bin, 'docker'), 0o755);
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

async function defaultTags(ref: string): Promise<string[]> {
  await writeFile(calls, '');
  const result = await runScript('ci/build-images.sh', [], {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    GITHUB_REF: ref,
    ACTIONS_CACHE_URL: '',
    ACTIONS_RESULTS_URL: '',
  });
  expect(result.code).toBe(0);
  const build = (await readFile(calls, 'utf8')).split('\n').find((c) => c.startsWith('docker buildx build'));
  return [...(build ?? '').matchAll(/--tag (\S+)/g)].map((m) => m[1] ?? '');
}

describe('image tags', () => {
  it('the chart deploys the product version by default (appVersion = package.json version, no tag override)', () => {
    const chart = parse(readFileSync(path.join(root, 'charts', 'findash', 'Chart.yaml'), 'utf8')) as {
      appVersion: string;
    };
    expect(chart.appVersion).toBe(version);
    for (const file of ['values.yaml', 'values-staging.yaml', 'values-production.yaml']) {
      const values = parse(readFileSync(path.join(root, 'charts', 'findash', file), 'utf8')) as {
        image?: { repository?: string; tag?: string };
      };
      expect(values.image?.repository).toBe(REPOSITORY);
      expect(values.image?.tag ?? '').toBe('');
    }
  });

  it('cdk8s staging and production default to the same released image', () => {
    expect(ENVIRONMENTS.staging.image).toBe(`${REPOSITORY}:${version}`);
    expect(ENVIRONMENTS.production.image).toBe(`${REPOSITORY}:${version}`);
  });

  it('ci/build-images.sh tags every build <version>-<sha12>, and a build of main <version> too', async () => {
    const branch = await defaultTags('refs/heads/feature');
    expect(branch).toEqual([expect.stringMatching(new RegExp(`^${REPOSITORY}:${version}-[0-9a-f]{12}$`))]);
    const main = await defaultTags('refs/heads/main');
    expect(main).toEqual([branch[0], `${REPOSITORY}:${version}`]);
  });

  it('the workflow publishes <version> from main and deploys the <version>-<sha12> it built', () => {
    const build = workflow.jobs['build-images']!;
    const tagStep = build.steps.find((s) => s.id === 'tag')!;
    expect(tagStep.run).toContain(`require("./package.json").version`);
    expect(tagStep.run).toContain('echo "tag=$version-${GITHUB_SHA::12}"');
    const push = build.steps.find((s) => s.run?.includes('ci/build-images.sh "${args[@]}"'))!;
    expect(push.env?.VERSION).toBe('${{ steps.tag.outputs.version }}');
    expect(push.run).toContain('args+=(--tag "$VERSION" --push)');
    expect(workflow.env.IMAGE).toBe(REPOSITORY);
    for (const name of ['deploy-staging', 'deploy-production']) {
      const steps = workflow.jobs[name]!.steps;
      const deploy = steps.find((s) => s.run?.includes('ci/deploy.sh'))!;
      expect(deploy.env?.TAG).toBe('${{ needs.build-images.outputs.tag }}');
      expect(deploy.run).toContain('--image "$IMAGE:$TAG"');
    }
  });
});
