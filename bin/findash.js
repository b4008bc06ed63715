#!/usr/bin/env node
// The findash CLI: compiled JavaScript when built (dist/), the TypeScript source through tsx otherwise.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/app/cli.js', import.meta.url);
if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('../app/cli.ts', import.meta.url);
}
