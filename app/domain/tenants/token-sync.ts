import type { Knex } from 'knex';

import type { AuditEntry } from '../../audit/audit-log.js';
import { asPlatform } from '../../db/tenant-scope.js';
import type { Role } from '../auth/roles.js';
import { hashToken } from '../auth/tokens.js';
import { issueApiToken } from './api-tokens.js';

/**
 * A Tenant's API clients (spec.apiClients) as api_tokens rows. Tokens are stored only as hashes,
 * so the plaintext lives in the Kubernetes Secret alone: the operator reads the Secrets first and
 * hands their tokens in as `presented`; a client keeps its token when the presented one hashes to
 * one of its active api_tokens, and gets a new one (revoking the rest) when its Secret is missing
 * or stale, or a rotation was asked for.
 */
export interface TokenRequests {
  /** Plaintext tokens currently held in the clients' Secrets. */
  readonly presented: ReadonlyMap<string, string>;
  /** Clients whose token must be replaced now (findash.io/rotate-token). */
  readonly rotate: ReadonlySet<string>;
  /** Replace tokens issued before this instant (findash.io/rotate-tokens-at), if it has passed. */
  readonly rotateIssuedBefore?: Date;
}

export interface ClientCredential {
  readonly client: string;
  readonly role: Role;
  readonly token: string;
  readonly tokenId: string;
  readonly issuedAt: Date;
  /** True when this pass issued the token: its Secret must be (re)written. */
  readonly issued: boolean;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  token_hash: Buffer;
  created_at: Date;
}

/** Issues, keeps and revokes the tenant's tokens so each client holds exactly one; returns their audit entries. */
export async function syncTokens(
  trx: Knex.Transaction,
  tenantId: string,
  clients: ReadonlyMap<string, Role>,
  requests: TokenRequests,
): Promise<{
  credentials: ClientCredential[];
  removedClients: string[];
  wrote: boolean;
  audit: AuditEntry[];
}> {
  const rows = await trx('api_tokens')
    .where({ tenant_id: tenantId })
    .whereNull('revoked_at')
    .select<TokenRow[]>('id', 'name', 'role', 'token_hash', 'created_at');
  const byClient = new Map<string, TokenRow[]>();
  for (const row of rows) byClient.set(row.name, [...(byClient.get(row.name) ?? []), row]);

  const now = (
    (await trx.raw<{ rows: Array<{ now: Date }> }>('select now() as now')).rows[0] as { now: Date }
  ).now;
  const rotateBefore =
    requests.rotateIssuedBefore && requests.rotateIssuedBefore <= now
      ? requests.rotateIssuedBefore
      : undefined;

  const credentials: ClientCredential[] = [];
  const audit: AuditEntry[] = [];
  const revokeIds: string[] = [];
  let wrote = false;

  for (const [client, role] of clients) {
    const active = byClient.get(client) ?? [];
    const presented = requests.presented.get(client);
    const presentedHash = presented === undefined ? undefined : hashToken(presented);
    const match = presentedHash ? active.find((r) => r.token_hash.equals(presentedHash)) : undefined;
    const rotate =
      requests.rotate.has(client) ||
      (match !== undefined && rotateBefore !== undefined && match.created_at < rotateBefore);

    if (match && presented !== undefined && !rotate) {
      // Keep the token the Secret already holds; drop any other active token of this client
      // (left by a pass that crashed between issuing and writing the Secret).
      revokeIds.push(...active.filter((r) => r.id !== match.id).map((r) => r.id));
      if (match.role !== role) {
        await trx('api_tokens').where({ id: match.id }).update({ role });
        audit.push({
          action: 'api_token.role_changed',
          resourceType: 'api_token',
          resourceId: match.id,
          details: { client, from: match.role, to: role },
        });
        wrote = true;
      }
      credentials.push({
        client,
        role,
        token: presented,
        tokenId: match.id,
        issuedAt: match.created_at,
        issued: false,
      });
      continue;
    }
    revokeIds.push(...active.map((r) => r.id));
    const issued = await issueApiToken(trx, tenantId, client, role);
    wrote = true;
    audit.push({
      action: 'api_token.issued',
      resourceType: 'api_token',
      resourceId: issued.id,
      details: {
        client,
        role,
        reason: rotate ? 'rotation' : active.length > 0 ? 'secret missing or stale' : 'new client',
      },
    });
    credentials.push({ client, role, token: issued.token, tokenId: issued.id, issuedAt: now, issued: true });
  }

  const removedClients = [...byClient.keys()].filter((name) => !clients.has(name));
  for (const name of removedClients) revokeIds.push(...(byClient.get(name) ?? []).map((r) => r.id));
  if (revokeIds.length > 0) {
    await trx('api_tokens')
      .whereIn('id', revokeIds)
      .whereNull('revoked_at')
      .update({ revoked_at: trx.fn.now() });
    for (const id of revokeIds) {
      const row = rows.find((r) => r.id === id);
      audit.push({
        action: 'api_token.revoked',
        resourceType: 'api_token',
        resourceId: id,
        details: { client: row?.name },
      });
    }
    wrote = true;
  }
  return { credentials, removedClients, wrote, audit };
}

/** Active token hashes per client, for tests and diagnostics. */
export async function activeTokenClients(knex: Knex, k8sUid: string): Promise<Map<string, Role>> {
  return asPlatform(knex, async (trx) => {
    const rows = await trx('api_tokens as k')
      .join('tenants as t', 't.id', 'k.tenant_id')
      .where('t.k8s_uid', k8sUid)
      .whereNull('k.revoked_at')
      .select<Array<{ name: string; role: Role }>>('k.name', 'k.role');
    return new Map(rows.map((r) => [r.name, r.role]));
  });
}
