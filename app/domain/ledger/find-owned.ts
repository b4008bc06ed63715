import type { Knex } from 'knex';
import type { Model } from 'objection';

import { NotFoundError } from '../errors.js';
import { checkUuid } from './validate.js';

/**
 * Loads one row of the current tenant by id (optionally locked FOR UPDATE). Row-level security
 * makes other tenants' rows invisible, so they are a 404 exactly like ids that do not exist.
 */
export async function findOwned<C extends typeof Model>(
  model: C,
  resource: string,
  trx: Knex.Transaction,
  id: string,
  forUpdate = false,
): Promise<InstanceType<C>> {
  checkUuid('id', id);
  const query = model.query(trx).findById(id);
  const row = (await (forUpdate ? query.forUpdate() : query)) as InstanceType<C> | undefined;
  if (!row) throw new NotFoundError(resource, id);
  return row;
}
