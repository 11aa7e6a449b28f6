import type { Migration } from './types';

/**
 * White-label branding in three levels (docs/decisions/2026-12-01-branding.md): the provider's and
 * each reseller's in `brandings` (owner `provider` or a reseller id), each tenant's in
 * `tenant_brandings`, reached only through the tenant scope. The fields a level sets are one JSON
 * document (absent = inherited); the logo is kept in the row, base64, at most 256 KB, so every node
 * of a PostgreSQL deployment serves it without shared files; a tenant's counts in its storage.
 *
 * Down keeps every row in `settings` (one JSON row per table, which the older release never reads)
 * and up puts them back (a tenant deleted in between is skipped), so a rollback and a roll forward
 * lose no branding (docs/decisions/2026-12-01-lossless-rollback.md). PostgreSQL differs in its JSON
 * functions and in BIGINT for the byte count.
 */
const KEPT_LEVELS = 'migration.0014.brandings';
const KEPT_TENANTS = 'migration.0014.tenant_brandings';
const COLUMNS = 'fields, logo_type, logo_base64, logo_bytes, logo_sha256, updated_at';

const table = (name: string, key: string, bytes: string) => `
    CREATE TABLE ${name} (
      ${key},
      fields TEXT NOT NULL,
      logo_type TEXT,
      logo_base64 TEXT,
      logo_bytes ${bytes} NOT NULL DEFAULT 0,
      logo_sha256 TEXT,
      updated_at TEXT NOT NULL
    );`;
const LEVELS_KEY = 'owner TEXT PRIMARY KEY';
const TENANT_KEY = 'tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE';

const sqliteRow = (id: string) =>
  `json_object('${id}', ${id}, 'fields', fields, 'logo_type', logo_type, 'logo_base64', logo_base64, 'logo_bytes', logo_bytes, 'logo_sha256', logo_sha256, 'updated_at', updated_at)`;
const sqliteRestore = (name: string, id: string, kept: string, where: string) => `
    INSERT INTO ${name} (${id}, ${COLUMNS})
      SELECT json_extract(k.value, '$.${id}'), json_extract(k.value, '$.fields'), json_extract(k.value, '$.logo_type'),
             json_extract(k.value, '$.logo_base64'), json_extract(k.value, '$.logo_bytes'), json_extract(k.value, '$.logo_sha256'),
             json_extract(k.value, '$.updated_at')
        FROM json_each((SELECT value FROM settings WHERE key = '${kept}')) AS k
        WHERE ${where.replace('$ID', `json_extract(k.value, '$.${id}')`)};
    DELETE FROM settings WHERE key = '${kept}';`;
const sqliteKeep = (name: string, id: string, kept: string) => `
    INSERT INTO settings (key, value) SELECT '${kept}', json_group_array(${sqliteRow(id)}) FROM ${name} WHERE TRUE
      ON CONFLICT (key) DO UPDATE SET value = excluded.value;`;

const pgRow = (id: string) =>
  `json_build_object('${id}', ${id}, 'fields', fields, 'logo_type', logo_type, 'logo_base64', logo_base64, 'logo_bytes', logo_bytes, 'logo_sha256', logo_sha256, 'updated_at', updated_at)`;
const pgRestore = (name: string, id: string, kept: string, where: string) => `
      INSERT INTO ${name} (${id}, ${COLUMNS})
        SELECT k.value ->> '${id}', k.value ->> 'fields', k.value ->> 'logo_type', k.value ->> 'logo_base64',
               (k.value ->> 'logo_bytes')::bigint, k.value ->> 'logo_sha256', k.value ->> 'updated_at'
          FROM json_array_elements((SELECT value FROM settings WHERE key = '${kept}')::json) AS k (value)
          WHERE ${where.replace('$ID', `k.value ->> '${id}'`)};
      DELETE FROM settings WHERE key = '${kept}';`;
const pgKeep = (name: string, id: string, kept: string) => `
      INSERT INTO settings (key, value) SELECT '${kept}', coalesce(json_agg(${pgRow(id)}), '[]')::text FROM ${name} WHERE TRUE
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;`;

const ANY = '$ID IS NOT NULL';
const LIVE_TENANT = '$ID IN (SELECT id FROM tenants)';

export const branding: Migration = {
  version: 14,
  name: 'branding',
  up: [
    table('brandings', LEVELS_KEY, 'INTEGER'),
    table('tenant_brandings', TENANT_KEY, 'INTEGER'),
    sqliteRestore('brandings', 'owner', KEPT_LEVELS, ANY),
    sqliteRestore('tenant_brandings', 'tenant_id', KEPT_TENANTS, LIVE_TENANT),
  ].join('\n'),
  down: [sqliteKeep('tenant_brandings', 'tenant_id', KEPT_TENANTS), sqliteKeep('brandings', 'owner', KEPT_LEVELS), '\n    DROP TABLE tenant_brandings;\n    DROP TABLE brandings;'].join('\n'),
  postgres: {
    up: [
      table('brandings', LEVELS_KEY, 'BIGINT'),
      table('tenant_brandings', TENANT_KEY, 'BIGINT'),
      pgRestore('brandings', 'owner', KEPT_LEVELS, ANY),
      pgRestore('tenant_brandings', 'tenant_id', KEPT_TENANTS, LIVE_TENANT),
    ].join('\n'),
    down: [pgKeep('tenant_brandings', 'tenant_id', KEPT_TENANTS), pgKeep('brandings', 'owner', KEPT_LEVELS), '\n      DROP TABLE tenant_brandings;\n      DROP TABLE brandings;'].join('\n'),
  },
};
