import { BROKEN_IMAGE, kubectl, ok, report, run, SECOND_RELEASE } from './context.js';

// The node's life in `npm run e2e:k8s`: its images built, the cluster stood up from nothing, and torn down
// without leaving anything behind.

export async function images(): Promise<void> {
  report.step('images: findash:dev (production target) and the node images, built with buildah');
  await report.run('provision: buildah, containerd, runc, CNI plugins and the node tools', async () => {
    const result = await run('bash', ['test/provision.sh', '--node'], undefined, 2_400_000);
    return ok(result, `${result.seconds.toFixed(0)} s`);
  });
  await report.run('images: npm run images', async () => {
    const result = await run('npm', ['run', '--silent', 'images'], undefined, 2_400_000);
    const built = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .filter((line) => / (built|made|up to date) /.test(line))
      .map((line) => line.replace(/^\d\d:\d\d:\d\d /, ''));
    for (const line of built) report.info(line);
    return ok(result, `${result.seconds.toFixed(0)} s`);
  });
  await report.run('images: a findash image that exits at start, for the rollback drill', async () => {
    const result = await run('bash', [
      '-c',
      [
        'set -euo pipefail',
        'export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/ci/containers.conf}"',
        'c=$(buildah from --pull-never localhost/findash:dev)',
        'buildah config --entrypoint \'["/bin/sh","-c","echo this image exits at start >&2; exit 3"]\' --cmd "" "$c"',
        // The manifests set `command: [node, ...]`: replace node itself, so the container exits whatever it runs.
        'buildah run --user 0 "$c" sh -c \'printf "#!/bin/sh\\necho this image exits at start >&2\\nexit 3\\n" > /usr/local/bin/node\'',
        `buildah commit --quiet --rm "$c" ${BROKEN_IMAGE} > /dev/null`,
        `buildah tag localhost/findash:dev localhost/${SECOND_RELEASE}`,
      ].join('\n'),
    ]);
    return ok(result, `${BROKEN_IMAGE}, ${SECOND_RELEASE}`);
  });
}

export async function cluster(): Promise<boolean> {
  report.step('cluster: npm run cluster:up -- --nodes (from nothing)');
  await run('npm', ['run', '--silent', 'cluster:down', '--', '--purge']);
  return report.run('cluster: control plane + node Ready, add-ons serving', async () => {
    const result = await run('npm', ['run', '--silent', 'cluster:up', '--', '--nodes'], undefined, 900_000);
    if (result.code !== 0) return ok(result, '');
    const load = await run('npm', ['run', '--silent', 'cluster:load', '--', BROKEN_IMAGE, SECOND_RELEASE]);
    if (load.code !== 0) return ok(load, '');
    const nodes = await kubectl(['get', 'nodes', '-o', 'wide']);
    report.info(nodes.stdout.trim().split('\n').join('\n    '));
    return [true, `up in ${result.seconds.toFixed(0)} s`];
  });
}

export async function teardown(): Promise<void> {
  report.step('teardown: npm run cluster:down -- --purge');
  await report.run('teardown: nothing of the node is left', async () => {
    const down = await run('npm', ['run', '--silent', 'cluster:down', '--', '--purge']);
    const leftovers = await run('bash', [
      '-c',
      [
        'ip -o addr show dev lo | grep -q 10.99.0.1 && echo "address 10.99.0.1"',
        'ip link show findash-br0 2>/dev/null && echo "bridge findash-br0"',
        'ip route show 10.0.0.0/24 | grep -q . && echo "route 10.0.0.0/24"',
        'pgrep -f "[c]ontainerd-shim.*/[.]findash/" > /dev/null && echo "containerd shims"',
        'iptables-save 2>/dev/null | grep -q "KUBE-SERVICES" && echo "kube-proxy rules"',
        'iptables-save 2>/dev/null | grep -q "KUBE-ROUTER" && echo "kube-router rules"',
        'ipset list -n 2>/dev/null | grep -qE "^(KUBE-SRC-|KUBE-DST-|kube-router-)" && echo "kube-router ipsets"',
        'grep -q "/.findash/cluster" /proc/self/mountinfo && echo "mounts"',
        'true',
      ].join('\n'),
    ]);
    const left = leftovers.stdout.split('\n').filter((l) => l && !l.includes(':') && !/^\d+:/.test(l));
    return [
      down.code === 0 && left.length === 0,
      left.length === 0 ? 'no address, route, bridge, shim, rule or mount left' : `left: ${left.join(', ')}`,
    ];
  });
}
