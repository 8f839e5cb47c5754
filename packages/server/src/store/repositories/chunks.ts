/** Rows per multi-row statement: well below SQLite's and PostgreSQL's limits on bound parameters. */
const ROWS_PER_STATEMENT = 400;

/** Splits rows into statement-sized groups for bulk inserts and `in (…)` lookups. */
export function chunks<T>(rows: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) groups.push(rows.slice(i, i + ROWS_PER_STATEMENT));
  return groups;
}
