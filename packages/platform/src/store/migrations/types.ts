/**
 * One schema step. `down` must undo `up` exactly, so any release can be rolled back; a down that drops
 * values its up cannot re-derive keeps them in `settings` for the next up (see 0011 and
 * docs/decisions/2026-12-01-lossless-rollback.md).
 */
export interface Migration {
  version: number;
  name: string;
  /** SQLite; also PostgreSQL unless `postgres` is given. Never edited once released: databases exist at every version. */
  up: string;
  down: string;
  /** PostgreSQL's SQL where it differs from SQLite's (types, SQLite-only functions such as `rowid`). */
  postgres?: { up: string; down: string };
}
