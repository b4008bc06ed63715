import type { Knex } from 'knex';

import { generateToken } from '../auth/tokens.js';
import type { Role } from '../auth/roles.js';

/** Issues a token for a tenant inside a platform-scoped transaction; the plaintext is returned once. */
export async function issueApiToken(
  trx: Knex.Transaction,
  tenantId: string,
  name: string,
  role: Role,
): Promise<{ id: string; token: string }> {
  const { token, hash } = generateToken();
  const [row] = await trx('api_tokens')
    .insert({ tenant_id: tenantId, name, role, token_hash: hash })
    .returning<Array<{ id: string }>>('id');
  return { id: row?.id ?? '', token };
}

export async function revokeApiTokens(
  trx: Knex.Transaction,
  tenantId: string,
  name: string,
): Promise<number> {
  return trx('api_tokens')
    .where({ tenant_id: tenantId, name })
    .whereNull('revoked_at')
    .update({ revoked_at: trx.fn.now() });
}
