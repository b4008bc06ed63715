import type { Knex } from 'knex';
import type { Counter } from 'prom-client';

type Listener = (actions: readonly string[]) => void;

/**
 * Who hears of audit events once they are committed, per database pool. A transaction's client
 * shares its pool's config object (knex hands it to every transaction it opens), so the config
 * is what ties a transaction to the listeners of the pool it came from.
 */
const listeners = new WeakMap<object, Set<Listener>>();

function poolOf(knex: Knex): object {
  return (knex.client as Knex.Client).config;
}

/** Calls `listener` with the actions of the audit events each committed transaction of `db` wrote. */
export function onAuditCommitted(db: Knex, listener: Listener): () => void {
  const key = poolOf(db);
  const set = listeners.get(key) ?? new Set<Listener>();
  listeners.set(key, set);
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * Tells the listeners of `trx`'s pool about `actions` when its outermost transaction commits;
 * a rollback tells nobody, so a refused write counts nothing. (knex settles a transaction's
 * executionPromise with the commit, and rejects it when the work threw.)
 */
export function announceOnCommit(trx: Knex.Transaction, actions: readonly string[]): void {
  const set = listeners.get(poolOf(trx));
  if (!set || set.size === 0 || actions.length === 0) return;
  let outer = trx;
  while (outer.parentTransaction) outer = outer.parentTransaction;
  outer.executionPromise.then(
    () => {
      for (const listener of set) listener(actions);
    },
    () => undefined,
  );
}

/** Actions beyond this many distinct ones are counted as `other`: a label set stays bounded. */
const MAX_ACTIONS = 100;
const ACTION = /^[a-z0-9_.-]{1,64}$/;

/**
 * Counts findash_audit_events_total{action} as the audit events of `db`'s transactions commit
 * (announced by the audit writer itself, app/audit/audit-log.ts). Returns the function that stops it.
 */
export function countAuditEvents(db: Knex, counter: Counter<'action'>): () => void {
  const seen = new Set<string>();
  return onAuditCommitted(db, (actions) => {
    for (const action of actions) {
      if (!ACTION.test(action)) continue;
      if (!seen.has(action) && seen.size < MAX_ACTIONS) seen.add(action);
      counter.inc({ action: seen.has(action) ? action : 'other' });
    }
  });
}
