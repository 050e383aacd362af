/** Every row of the fault matrix, grouped as the issue names the faults. */
import type { MatrixRow } from './matrix';
import { EVENTBRIDGE_ROWS, KMS_ROWS, SECRETS_MANAGER_ROWS } from './rows-aws';
import { CRASH_ROWS } from './rows-crash';
import { DYNAMODB_ROWS } from './rows-dynamodb';
import { LEASE_ROWS, REPORT_ROWS } from './rows-races';
import { ZOHO_ROWS } from './rows-zoho';

export const MATRIX_ROWS: readonly MatrixRow[] = [
  ...ZOHO_ROWS,
  ...DYNAMODB_ROWS,
  ...SECRETS_MANAGER_ROWS,
  ...KMS_ROWS,
  ...EVENTBRIDGE_ROWS,
  ...CRASH_ROWS,
  ...LEASE_ROWS,
  ...REPORT_ROWS,
];
