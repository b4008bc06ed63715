import { Model } from 'objection';

/**
 * A spending budget for a period. `category` null means all expenses; dates are calendar days
 * ('YYYY-MM-DD', see app/db/knex.ts). What has been spent is derived from rollups by the
 * dashboard, never stored here.
 */
export class Budget extends Model {
  static override tableName = 'budgets';

  declare id: string;
  declare tenant_id: string;
  declare name: string;
  declare category: string | null;
  declare currency: string;
  declare total_amount: string;
  declare start_date: string;
  declare end_date: string;
  declare created_at: Date;
  declare updated_at: Date;
}
