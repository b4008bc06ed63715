export { Account, ACCOUNT_TYPES, type AccountType } from './account.js';
export { Budget } from './budget.js';
export {
  Transaction,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
  type Direction,
  type TransactionStatus,
  type TransactionType,
} from './transaction.js';
