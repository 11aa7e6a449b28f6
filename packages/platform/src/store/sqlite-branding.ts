import type Database from 'better-sqlite3';
import type { BrandingSlot, Store } from './types';
import type { Synchronous } from './sqlite-async';
import { brandingColumns, toBranding, type BrandingColumnValues } from './branding-rows';

const COLUMNS = 'fields, logo_type, logo_base64, logo_bytes, logo_sha256, updated_at';
const UPDATE = `fields = excluded.fields, logo_type = excluded.logo_type, logo_base64 = excluded.logo_base64,
  logo_bytes = excluded.logo_bytes, logo_sha256 = excluded.logo_sha256, updated_at = excluded.updated_at`;
const values = (c: BrandingColumnValues) => [c.fields, c.logo_type, c.logo_base64, c.logo_bytes, c.logo_sha256, c.updated_at];

export function sqliteTenantBranding(db: Database.Database, tenantId: string): Synchronous<{ branding: BrandingSlot }> {
  return {
    branding: {
      get() {
        const row = db.prepare(`SELECT ${COLUMNS} FROM tenant_brandings WHERE tenant_id = ?`).get(tenantId) as Parameters<typeof toBranding>[0] | undefined;
        return row && toBranding(row);
      },
      set(row) {
        db.prepare(`INSERT INTO tenant_brandings (tenant_id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET ${UPDATE}`).run(
          tenantId,
          ...values(brandingColumns(row)),
        );
      },
    },
  };
}

export function sqlitePlatformBranding(db: Database.Database): Synchronous<Pick<Store, 'brandings'>> {
  return {
    brandings: {
      get(owner) {
        const row = db.prepare(`SELECT ${COLUMNS} FROM brandings WHERE owner = ?`).get(owner) as Parameters<typeof toBranding>[0] | undefined;
        return row && toBranding(row);
      },
      set(owner, row) {
        db.prepare(`INSERT INTO brandings (owner, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET ${UPDATE}`).run(owner, ...values(brandingColumns(row)));
      },
    },
  };
}
