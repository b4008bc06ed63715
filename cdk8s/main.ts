// `npm run synth [-- <env>...]`: writes dist/<env>/ for every environment (or those named).
// FINDASH_IMAGE overrides the image of every environment synthesized (CI passes the tag it built).
// FINDASH_BACKING_SERVICES=statefulset swaps CloudNativePG and the RabbitMQ operator for StatefulSets.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ENVIRONMENT_NAMES, isEnvironmentName, type EnvironmentName } from './environments.js';
import { synthEnvironment, writeEnvironment } from './app.js';
import { REPO_ROOT } from './lib/paths.js';

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !isEnvironmentName(name));
if (unknown.length > 0) {
  console.error(`unknown environment(s): ${unknown.join(', ')} (known: ${ENVIRONMENT_NAMES.join(', ')})`);
  process.exit(2);
}
const names: readonly EnvironmentName[] =
  requested.length > 0 ? requested.filter(isEnvironmentName) : ENVIRONMENT_NAMES;
const image = process.env.FINDASH_IMAGE;
const backing = process.env.FINDASH_BACKING_SERVICES;
if (backing !== undefined && backing !== 'operators' && backing !== 'statefulset') {
  console.error(`FINDASH_BACKING_SERVICES must be operators or statefulset, not ${backing}`);
  process.exit(2);
}

try {
  for (const name of names) {
    const outdir = path.join(REPO_ROOT, 'dist', name);
    // A chart dropped from an environment must not leave its old file behind to be applied.
    rmSync(outdir, { recursive: true, force: true });
    writeEnvironment(name, outdir, { image, backingServices: backing });
    const count = synthEnvironment(name, { image, backingServices: backing, warn: () => undefined }).length;
    console.log(`${name}: ${count} objects -> ${path.relative(REPO_ROOT, outdir)}/`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
