import type { BrandingRow } from './types';

/** The columns one level's branding is stored in (migration 0014), shared by both stores. */
export interface BrandingColumnValues {
  fields: string;
  logo_type: string | null;
  logo_base64: string | null;
  logo_bytes: number;
  logo_sha256: string | null;
  updated_at: string;
}

export function brandingColumns(row: BrandingRow): BrandingColumnValues {
  return {
    fields: JSON.stringify(row.fields),
    logo_type: row.logo?.contentType ?? null,
    logo_base64: row.logo?.base64 ?? null,
    logo_bytes: row.logo?.sizeBytes ?? 0,
    logo_sha256: row.logo?.sha256 ?? null,
    updated_at: row.updatedAt,
  };
}

export function toBranding(r: { fields: string; logo_type: string | null; logo_base64: string | null; logo_bytes: number | string; logo_sha256: string | null; updated_at: string }): BrandingRow {
  return {
    fields: JSON.parse(r.fields) as Record<string, unknown>,
    logo: r.logo_type && r.logo_base64 && r.logo_sha256 ? { contentType: r.logo_type, base64: r.logo_base64, sizeBytes: Number(r.logo_bytes), sha256: r.logo_sha256 } : null,
    updatedAt: r.updated_at,
  };
}
