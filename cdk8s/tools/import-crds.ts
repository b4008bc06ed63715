// Regenerates the typed constructs in cdk8s/imports/ from the pinned upstream CRDs in cdk8s/crds/.
// Run with `npm run cdk8s:import` after changing a pinned version; the output is committed source.
//
// Two quirks of `cdk8s import` shape this script:
// - it imports only the first file given and writes one `<group>.ts` per API group, so the CRDs of a
//   group are concatenated into one multi-document file and imported in one call;
// - its output imports interfaces as values, which this repo's `verbatimModuleSyntax` rejects (and
//   which would fail at runtime under native ESM), so those imports are rewritten as `import type`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cdk8sDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const crdsDir = path.join(cdk8sDir, 'crds');
const importsDir = path.join(cdk8sDir, 'imports');

/** Every CRD file under cdk8s/crds/<source>-<version>/, grouped by API group (the file name's prefix). */
function crdFilesByGroup(): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const source of readdirSync(crdsDir, { withFileTypes: true })) {
    if (!source.isDirectory()) continue;
    for (const file of readdirSync(path.join(crdsDir, source.name)).sort()) {
      const match = /^(.+)_[a-z]+\.yaml$/.exec(file);
      if (!match?.[1]) continue;
      const files = groups.get(match[1]) ?? [];
      files.push(path.join(crdsDir, source.name, file));
      groups.set(match[1], files);
    }
  }
  return groups;
}

function makeTypeImportsExplicit(file: string): void {
  const source = readFileSync(file, 'utf8')
    .replace(
      "import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';",
      "import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';",
    )
    .replace("import { Construct } from 'constructs';", "import type { Construct } from 'constructs';");
  writeFileSync(file, source);
}

const work = mkdtempSync(path.join(tmpdir(), 'findash-crd-import-'));
try {
  for (const [group, files] of crdFilesByGroup()) {
    const combined = path.join(work, `${group}.yaml`);
    writeFileSync(combined, files.map((f) => readFileSync(f, 'utf8')).join('\n---\n'));
    execFileSync(
      'npx',
      ['cdk8s', 'import', '--no-check-upgrade', combined, '--language', 'typescript', '--output', importsDir],
      { stdio: 'inherit' },
    );
    makeTypeImportsExplicit(path.join(importsDir, `${group}.ts`));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
