import type { Knex } from 'knex';

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
