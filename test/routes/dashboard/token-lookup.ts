import type { Knex } from 'knex';

import { createKnex } from '../../../app/db/knex.js';

/**
 * Workaround until the migration does it: findash_resolve_token is SECURITY DEFINER as the
 * schema owner, and RLS is forced for the owner too, so without app.platform set inside the
 * function it finds no token. A no-op once the function carries the setting.
 */
export async function allowTokenLookup(superuserUrl: string): Promise<void> {
  const superuser: Knex = createKnex({ url: superuserUrl, poolMax: 1 });
  try {
    const fn = await superuser.raw<{ rows: Array<{ proconfig: string[] | null }> }>(
      `select proconfig from pg_proc where proname = 'findash_resolve_token'`,
    );
    if (!(fn.rows[0]?.proconfig ?? []).some((c) => c.startsWith('app.platform='))) {
      await superuser.raw(`alter function findash_resolve_token(bytea) set app.platform = 'on'`);
    }
  } finally {
    await superuser.destroy();
  }
}
