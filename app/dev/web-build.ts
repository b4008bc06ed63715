import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build, stop, type BuildOptions } from 'esbuild';

/**
 * Builds the browser UI (web/src) with esbuild: one minified ES module and one stylesheet, each
 * named by its content hash (so the server can cache them as immutable), and an index.html that
 * loads them with no inline script or style (so the page runs under a CSP without
 * 'unsafe-inline'). `npm run build` writes them to dist/ui; the server builds the same bundle in
 * memory when it runs from source (app/plugins/app/web-ui.ts), so `npm start` never serves a stale
 * or missing UI.
 */
export interface UiFile {
  /** Path below /app/, e.g. "index.html" or "assets/main-3KQ2ZJ5M.js". */
  readonly name: string;
  readonly body: Buffer;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** web/ in the source tree (app/dev → ../../web). */
export const WEB_SOURCE_DIR = path.resolve(here, '..', '..', 'web');

/** Where the UI is served from: index.html links its assets below this prefix. */
export const UI_PREFIX = '/app/';

function options(): BuildOptions {
  return {
    absWorkingDir: WEB_SOURCE_DIR,
    entryPoints: ['src/main.tsx'],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome111', 'firefox115', 'safari16.4'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: path.join(WEB_SOURCE_DIR, 'out', 'assets'),
    write: false,
    metafile: true,
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'silent',
  };
}

let building = 0;

/** The UI's files, in memory. esbuild's helper process is stopped once no build is running. */
export async function buildUi(): Promise<UiFile[]> {
  building += 1;
  try {
    return await bundle();
  } finally {
    building -= 1;
    if (building === 0) await stop();
  }
}

async function bundle(): Promise<UiFile[]> {
  const result = await build(options());
  const outDir = path.join(WEB_SOURCE_DIR, 'out');
  const files: UiFile[] = (result.outputFiles ?? []).map((file) => ({
    name: path.relative(outDir, file.path).split(path.sep).join('/'),
    body: Buffer.from(file.contents),
  }));
  const script = files.find((f) => f.name.endsWith('.js'));
  const style = files.find((f) => f.name.endsWith('.css'));
  if (!script || !style) throw new Error('web build produced no script or no stylesheet');
  files.push({ name: 'index.html', body: Buffer.from(indexHtml(script.name, style.name)) });
  return files;
}

/** Minified bytes of the script per npm package (or "web/src" for the UI's own code), largest first. */
export async function bundleInputs(): Promise<Record<string, number>> {
  building += 1;
  try {
    const result = await build(options());
    const bytes = new Map<string, number>();
    for (const output of Object.values(result.metafile?.outputs ?? {})) {
      if (!output.entryPoint) continue;
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
        const name = match?.[1] ?? 'web/src';
        bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
      }
    }
    return Object.fromEntries([...bytes].sort((a, b) => b[1] - a[1]));
  } finally {
    building -= 1;
    if (building === 0) await stop();
  }
}

function indexHtml(script: string, style: string): string {
  // The theme-color pair and color-scheme let the browser paint the right background before the CSS loads.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="theme-color" content="#f6f7f9" media="(prefers-color-scheme: light)">
<meta name="theme-color" content="#111418" media="(prefers-color-scheme: dark)">
<title>findash</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${UI_PREFIX}${style}">
<script type="module" src="${UI_PREFIX}${script}"></script>
</head>
<body>
<div id="root"><p class="boot">Loading findash…</p></div>
<noscript><p class="boot">findash needs JavaScript. The same data is available from the API: see /docs.</p></noscript>
</body>
</html>
`;
}

/** Writes the UI to `dir` (replacing what was there) and returns its files. */
export async function writeUi(dir: string): Promise<UiFile[]> {
  const files = await buildUi();
  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  for (const file of files) {
    const target = path.join(staging, file.name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.body);
  }
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return files;
}

/** A short content fingerprint (for ETags). */
export function fingerprint(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 22);
}

export function hasWebSource(): boolean {
  return existsSync(path.join(WEB_SOURCE_DIR, 'src', 'main.tsx'));
}

// `tsx app/dev/web-build.ts [dir]` (npm run build): write the UI to dist/ui.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = path.resolve(process.argv[2] ?? path.join(here, '..', '..', 'dist', 'ui'));
  writeUi(dir).then(
    (files) => {
      for (const file of files) console.log(`${path.join(dir, file.name)}  ${file.body.length} bytes`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
