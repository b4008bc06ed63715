import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { builtDir, pick, toAssets } from '../../app/web-ui/ui-files.js';
import { repoRoot } from '../harness/repo-root.js';

describe('the web UI files', () => {
  it('reads the built UI from dist/ui below the repository when run from source', () => {
    expect(builtDir()).toBe(path.join(repoRoot(), 'dist', 'ui'));
  });

  it('serves hashed assets immutable and the rest revalidated, in the encoding the client takes', () => {
    const assets = toAssets(
      [
        { name: 'index.html', body: Buffer.from('<!doctype html>') },
        { name: 'assets/main-ABC123.js', body: Buffer.from('1') },
      ],
      { oidc: null },
    );
    expect(assets.get('assets/main-ABC123.js')?.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(assets.get('index.html')?.cacheControl).toBe('no-cache');
    expect(JSON.parse(assets.get('config.json')?.identity.toString() ?? '')).toEqual({ oidc: null });
    const index = assets.get('index.html');
    if (!index) throw new Error('no index.html');
    expect(pick('gzip, br', index).encoding).toBe('br');
    expect(pick('gzip', index).encoding).toBe('gzip');
    expect(pick(undefined, index)).toEqual({ body: index.identity, encoding: null });
  });
});
