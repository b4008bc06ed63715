#!/usr/bin/env node
// Swap third-party images in rendered manifests for the ones an image map names (ci/images/node-images.json),
// and drop containers the map says cannot run here. Reads YAML on stdin and writes it to stdout (so it also
// serves as a Helm --post-renderer), or rewrites every *.yaml of a directory into another.
//
// Usage: rewrite-images.mjs MAP.json < in.yaml > out.yaml
//        rewrite-images.mjs MAP.json IN_DIR OUT_DIR
// Exit 2 on a bad map or unreadable input; stderr lists each swap and drop.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const [mapFile, inDir, outDir] = process.argv.slice(2);
if (!mapFile || (inDir && !outDir)) {
  console.error(
    'usage: rewrite-images.mjs MAP.json [IN_DIR OUT_DIR]   (stdin to stdout without directories)',
  );
  process.exit(2);
}
let images;
try {
  images = JSON.parse(readFileSync(mapFile, 'utf8')).images;
  if (!images || typeof images !== 'object') throw new Error('no "images" object');
} catch (error) {
  console.error(`error: image map ${mapFile}: ${error.message}`);
  process.exit(2);
}

/** The repository of an image reference: without its tag or digest. */
export function repository(ref) {
  const noDigest = ref.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

function rewritePodSpec(spec, where) {
  for (const field of ['initContainers', 'containers']) {
    if (!Array.isArray(spec[field])) continue;
    spec[field] = spec[field].filter((container) => {
      const entry = images[repository(String(container.image ?? ''))];
      if (!entry) return true;
      if (entry.drop) {
        console.error(`${where}: dropped container ${container.name} (${container.image}): ${entry.drop}`);
        return false;
      }
      console.error(`${where}: ${container.name}: ${container.image} -> ${entry.local}`);
      container.image = entry.local;
      return true;
    });
  }
}

/** Every pod spec in an object: workloads, CronJobs, bare Pods. */
function podSpecs(object) {
  const spec = object?.spec;
  if (!spec) return [];
  if (object.kind === 'Pod') return [spec];
  if (spec.jobTemplate?.spec?.template?.spec) return [spec.jobTemplate.spec.template.spec];
  if (spec.template?.spec) return [spec.template.spec];
  return [];
}

function rewrite(text) {
  const docs = parseAllDocuments(text);
  const out = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
    const object = doc.toJS();
    if (object === null || object === undefined) continue;
    for (const spec of podSpecs(object)) rewritePodSpec(spec, `${object.kind}/${object.metadata?.name}`);
    out.push(stringify(object, { lineWidth: 0 }));
  }
  return out.map((doc) => `---\n${doc}`).join('');
}

try {
  if (inDir) {
    mkdirSync(outDir, { recursive: true });
    for (const file of readdirSync(inDir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort()) {
      writeFileSync(path.join(outDir, file), rewrite(readFileSync(path.join(inDir, file), 'utf8')));
    }
  } else {
    process.stdout.write(rewrite(readFileSync(0, 'utf8')));
  }
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(2);
}
