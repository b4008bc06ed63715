import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { runScript } from './run-script.js';

/**
 * ci/build-images.sh and ci/kind-up.sh drive Docker and kind, neither of which can run here. These tests put
 * recording stand-ins for the `docker`, `kind` and `kubectl` commands first on PATH and check the commands the
 * scripts issue: that is the scripts' whole job (the image itself is checked in test/docker).
 */

let bin: string;
let calls: string;

const stub = async (name: string, body: string) => {
  const file = path.join(bin, name);
  await writeFile(file, `#!/usr/bin/env bash\necho "${name} $*" >> "${calls}"\n${body}\n`);
  await chmod(file, 0o755);
};
const recorded = async () => (await readFile(calls, 'utf8')).trim().split('\n');
const env = () => ({
  PATH: `${bin}:${process.env.PATH ?? ''}`,
  GITHUB_REF: '',
  ACTIONS_CACHE_URL: '',
  ACTIONS_RESULTS_URL: '',
});

beforeAll(async () => {
  bin = await mkdtemp(path.join(os.tmpdir(), 'findash-stubs-'));
  calls = path.join(bin, 'calls.log');
  await stub('docker', 'case "$1" in version) echo arm64 ;; esac; exit 0');
  await stub(
    'kind',
    'case "$1 $2" in "get clusters") exit 0 ;; "get kubeconfig") echo "apiVersion: v1" ;; esac; echo "kind progress"; exit 0',
  );
  await stub('kubectl', 'exit 0');
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

describe('ci/build-images.sh', () => {
  it('builds the production target for linux/amd64 and linux/arm64 with buildx, tagged with the commit', async () => {
    await writeFile(calls, '');
    const result = await runScript('ci/build-images.sh', [], env());
    expect(result.code).toBe(0);
    const build = (await recorded()).find((c) => c.startsWith('docker buildx build'))!;
    expect(build).toContain('--target production');
    expect(build).toContain('--platform linux/amd64,linux/arm64');
    expect(build).toMatch(/--tag ghcr\.io\/findash\/findash:\d+\.\d+\.\d+-[0-9a-f]{12}( |$)/);
    expect(build).toMatch(/--label org\.opencontainers\.image\.revision=[0-9a-f]{40}/);
    expect(build).not.toContain('--push');
    expect(build).not.toContain('type=gha');
  });

  it('pushes with every tag on request', async () => {
    await writeFile(calls, '');
    const result = await runScript('ci/build-images.sh', ['--tag', 'v1', '--tag', 'main', '--push'], env());
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'ghcr.io/findash/findash:v1',
      'ghcr.io/findash/findash:main',
    ]);
    const build = (await recorded()).find((c) => c.startsWith('docker buildx build'))!;
    expect(build).toMatch(
      /--tag ghcr\.io\/findash\/findash:v1 --tag ghcr\.io\/findash\/findash:main --push$/,
    );
  });

  it('--load builds only for the local daemon platform (what kind needs)', async () => {
    await writeFile(calls, '');
    const result = await runScript(
      'ci/build-images.sh',
      ['--image', 'findash', '--tag', 'dev', '--load'],
      env(),
    );
    expect(result.code).toBe(0);
    const build = (await recorded()).find((c) => c.startsWith('docker buildx build'))!;
    expect(build).toContain('--platform linux/arm64');
    expect(build).toMatch(/--tag findash:dev --load$/);
  });
});

describe('ci/kind-up.sh', () => {
  it('creates the cluster from kind-config.yaml, loads the image and prints only the kubeconfig path', async () => {
    await writeFile(calls, '');
    const kubeconfig = path.join(bin, 'kind.kubeconfig');
    const result = await runScript('ci/kind-up.sh', ['findash:dev'], {
      ...env(),
      KIND_KUBECONFIG: kubeconfig,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${kubeconfig}\n`);
    expect(await readFile(kubeconfig, 'utf8')).toContain('apiVersion: v1');
    const kind = (await recorded()).filter((c) => c.startsWith('kind '));
    expect(kind).toEqual([
      'kind get clusters',
      expect.stringMatching(
        /^kind create cluster --name findash --config \S+\/kind-config\.yaml --image kindest\/node:v1\.32\.\d+ --wait 120s$/,
      ),
      'kind get kubeconfig --name findash',
      'kind load docker-image findash:dev --name findash',
    ]);
  });
});
