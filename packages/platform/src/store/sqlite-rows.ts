import type { Page } from './types';

/** A row as better-sqlite3 returns it; each collection maps it to its typed row. */
export type Row = Record<string, unknown>;

export const str = (v: unknown) => v as string;
export const strOrNull = (v: unknown) => (v ?? null) as string | null;

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only says that another page exists.
 * The cursor is the last item's id unless the collection orders by something else.
 */
export function paginate<T>(rows: Row[], limit: number, map: (r: Row) => T, cursorOf: (item: T) => string = (item) => (item as { id: string }).id): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** `SET a = ?, b = ?` from the defined keys of a patch; column names come from a fixed map, never from input. */
export function setClause(patch: Record<string, unknown>, columns: Record<string, string>): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const column = columns[key];
    if (value === undefined || !column) continue;
    parts.push(`${column} = ?`);
    values.push(value);
  }
  return { sql: parts.join(', '), values };
}
