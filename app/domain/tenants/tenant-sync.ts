import type { Knex } from 'knex';

import { asPlatform } from '../../db/tenant-scope.js';
import type { ActorContext } from '../context.js';
import { appendAudit, type AuditEntry } from '../../audit/audit-log.js';
import { ROLES, type Role } from '../auth/roles.js';
import { hashToken } from '../auth/tokens.js';
import { ConflictError } from '../errors.js';
import { issueApiToken } from './api-tokens.js';
import type { TenantLimits, TenantRecord, TenantType } from './tenant-model.js';
import { insertTenant, patchTenant, removeTenant } from './tenant-service.js';

/**
 * What the Tenant operator needs from the database, in one transaction per tenant: make the
 * tenant row, its rbac_bindings and its api_tokens match a Tenant object, idempotently. A pass
 * that finds everything in place only reads (no row is updated, updated_at does not move).
 *
 * Tokens are stored only as hashes, so the plaintext lives in the Kubernetes Secret alone. The
 * operator reads the Secrets first and hands their tokens in as `presentedTokens`; a client
 * keeps its token when the presented one hashes to one of its active api_tokens, and gets a new
 * one (revoking the rest) when its Secret is missing or stale, or a rotation was asked for.
 */

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

/**
 * The rbac_bindings.subject for a Kubernetes subject, in the form the API's authenticators look
 * up: a User is its name as is (the JWT `sub`), a ServiceAccount its Kubernetes username
 * `system:serviceaccount:<namespace>:<name>` (the `sub` of its tokens), a Group `group:<name>`.
 */
export function subjectKey(kind: SubjectKind, name: string, namespace?: string): string {
  switch (kind) {
    case 'User':
      return name;
    case 'Group':
      return `group:${name}`;
    case 'ServiceAccount':
      return `system:serviceaccount:${namespace ?? ''}:${name}`;
  }
}

export interface DesiredTenant {
  /** metadata.uid of the Tenant object: the row's identity (tenants.k8s_uid). */
  readonly k8sUid: string;
  readonly name: string;
  readonly type: TenantType;
  readonly displayName: string;
  readonly baseCurrency: string;
  readonly timezone: string;
  readonly suspended: boolean;
  readonly limits: TenantLimits;
  /** subject → role; owners are included as admin by the caller. */
  readonly bindings: ReadonlyMap<string, Role>;
  /** API client name → role. */
  readonly clients: ReadonlyMap<string, Role>;
}

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

export interface TenantSyncResult {
  readonly tenantId: string;
  readonly created: boolean;
  /** Columns of the tenant row this pass changed (empty when none). */
  readonly tenantChanges: readonly string[];
  readonly bindingsAdded: number;
  readonly bindingsRemoved: number;
  readonly bindingsChanged: number;
  readonly credentials: readonly ClientCredential[];
  /** Client names whose tokens were revoked because the client was removed from the spec. */
  readonly removedClients: readonly string[];
  /** True if any row was written. */
  readonly wrote: boolean;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  token_hash: Buffer;
  created_at: Date;
}

const OPERATOR_ACTOR = 'operator';

function actor(tenant: TenantRecord): ActorContext {
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    tenantType: tenant.type,
    actor: OPERATOR_ACTOR,
    role: 'admin',
  };
}

/**
 * Finds the row a Tenant object owns: by UID, else an unowned or retained row of the same name
 * (re-creating a Tenant re-attaches data kept by deletionPolicy Retain, and adopts a tenant made
 * through the admin API). A live row owned by another object is a conflict a person must solve.
 */
async function findOwnedRow(trx: Knex.Transaction, desired: DesiredTenant): Promise<TenantRecord | null> {
  const byUid = (await trx('tenants').where({ k8s_uid: desired.k8sUid }).first()) as TenantRecord | undefined;
  if (byUid) return byUid;
  const byName = (await trx('tenants').where({ name: desired.name }).first()) as TenantRecord | undefined;
  if (!byName) return null;
  if (byName.k8s_uid === null || byName.status === 'deleted') return byName;
  throw new ConflictError(
    `the database already has a tenant named ${desired.name} owned by another Tenant object (uid ${byName.k8s_uid}); ` +
      'delete that row or pick another name',
  );
}

function sameLimits(a: TenantLimits, b: TenantLimits): boolean {
  return a.requestsPerMinute === b.requestsPerMinute && a.maxAccounts === b.maxAccounts;
}

async function syncTenantRow(
  trx: Knex.Transaction,
  desired: DesiredTenant,
): Promise<{ tenant: TenantRecord; created: boolean; changes: string[] }> {
  const status = desired.suspended ? 'suspended' : 'active';
  const limits: TenantLimits = {
    ...(desired.limits.requestsPerMinute !== undefined
      ? { requestsPerMinute: desired.limits.requestsPerMinute }
      : {}),
    ...(desired.limits.maxAccounts !== undefined ? { maxAccounts: desired.limits.maxAccounts } : {}),
  };
  const current = await findOwnedRow(trx, desired);
  if (!current) {
    const tenant = await insertTenant(trx, {
      name: desired.name,
      type: desired.type,
      display_name: desired.displayName,
      base_currency: desired.baseCurrency,
      timezone: desired.timezone,
      status,
      limits,
      k8s_uid: desired.k8sUid,
    });
    return { tenant, created: true, changes: ['created'] };
  }
  if (current.type !== desired.type) {
    throw new ConflictError(
      `tenant ${desired.name} is a ${current.type} tenant in the database; its type cannot change`,
    );
  }
  const changes: string[] = [];
  if (current.display_name !== desired.displayName) changes.push('display_name');
  if (current.base_currency !== desired.baseCurrency) changes.push('base_currency');
  if (current.timezone !== desired.timezone) changes.push('timezone');
  if (current.status !== status) changes.push('status');
  if (current.k8s_uid !== desired.k8sUid) changes.push('k8s_uid');
  if (!sameLimits(current.limits, limits)) changes.push('limits');
  if (changes.length === 0) return { tenant: current, created: false, changes };
  const tenant = await patchTenant(trx, current, {
    display_name: desired.displayName,
    base_currency: desired.baseCurrency,
    timezone: desired.timezone,
    status,
    limits,
    k8s_uid: desired.k8sUid,
  });
  return { tenant, created: false, changes };
}

async function syncBindings(
  trx: Knex.Transaction,
  tenantId: string,
  desired: ReadonlyMap<string, Role>,
): Promise<{ added: number; removed: number; changed: number }> {
  const rows = await trx('rbac_bindings')
    .where({ tenant_id: tenantId })
    .select<Array<{ subject: string; role: Role }>>('subject', 'role');
  const current = new Map(rows.map((r) => [r.subject, r.role]));
  const remove = [...current.keys()].filter((s) => !desired.has(s));
  const add = [...desired].filter(([s]) => !current.has(s));
  const change = [...desired].filter(([s, role]) => current.has(s) && current.get(s) !== role);
  if (remove.length > 0) {
    await trx('rbac_bindings').where({ tenant_id: tenantId }).whereIn('subject', remove).delete();
  }
  if (add.length > 0) {
    await trx('rbac_bindings').insert(add.map(([subject, role]) => ({ tenant_id: tenantId, subject, role })));
  }
  for (const [subject, role] of change) {
    await trx('rbac_bindings').where({ tenant_id: tenantId, subject }).update({ role });
  }
  return { added: add.length, removed: remove.length, changed: change.length };
}

async function syncTokens(
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

/** Makes the database match a Tenant object. One transaction; reads only when nothing changed. */
export async function syncTenant(
  knex: Knex,
  desired: DesiredTenant,
  tokens: TokenRequests,
): Promise<TenantSyncResult> {
  for (const role of [...desired.bindings.values(), ...desired.clients.values()]) {
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`unknown role ${role}`);
  }
  return asPlatform(knex, async (trx) => {
    const { tenant, created, changes } = await syncTenantRow(trx, desired);
    const bindings = await syncBindings(trx, tenant.id, desired.bindings);
    const tokenResult = await syncTokens(trx, tenant.id, desired.clients, tokens);
    const audit: AuditEntry[] = [];
    if (created)
      audit.push({
        action: 'tenant.created',
        resourceType: 'tenant',
        resourceId: tenant.id,
        details: { name: tenant.name },
      });
    else if (changes.length > 0) {
      audit.push({
        action: 'tenant.updated',
        resourceType: 'tenant',
        resourceId: tenant.id,
        details: { fields: changes },
      });
    }
    if (bindings.added + bindings.removed + bindings.changed > 0) {
      audit.push({
        action: 'tenant.members_changed',
        resourceType: 'tenant',
        resourceId: tenant.id,
        details: bindings,
      });
    }
    audit.push(...tokenResult.audit);
    await appendAudit(trx, actor(tenant), audit);
    return {
      tenantId: tenant.id,
      created,
      tenantChanges: changes,
      bindingsAdded: bindings.added,
      bindingsRemoved: bindings.removed,
      bindingsChanged: bindings.changed,
      credentials: tokenResult.credentials,
      removedClients: tokenResult.removedClients,
      wrote:
        created ||
        changes.length > 0 ||
        bindings.added + bindings.removed + bindings.changed > 0 ||
        tokenResult.wrote,
    };
  });
}

export type RetireOutcome = 'retained' | 'deleted' | 'absent';

/**
 * Applies a Tenant's deletionPolicy. Retain: the row stays with status `deleted` and every
 * token is revoked (the data can be re-attached by re-creating the Tenant). Delete: the row and
 * everything the tenant owns are removed. Idempotent: a second call finds nothing to do.
 */
export async function retireTenant(
  knex: Knex,
  k8sUid: string,
  policy: 'Retain' | 'Delete',
): Promise<RetireOutcome> {
  return asPlatform(knex, async (trx) => {
    const tenant = (await trx('tenants').where({ k8s_uid: k8sUid }).first()) as TenantRecord | undefined;
    if (!tenant) return 'absent';
    if (policy === 'Delete') {
      await removeTenant(trx, tenant, true);
      return 'deleted';
    }
    const active = (await trx('api_tokens')
      .where({ tenant_id: tenant.id })
      .whereNull('revoked_at')
      .count<Array<{ count: number | string }>>('* as count')) as Array<{ count: number | string }>;
    if (tenant.status !== 'deleted' || Number(active[0]?.count ?? 0) > 0) {
      await removeTenant(trx, tenant, false);
      await appendAudit(trx, actor(tenant), [
        { action: 'tenant.deleted', resourceType: 'tenant', resourceId: tenant.id, details: { policy } },
      ]);
    }
    return 'retained';
  });
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
