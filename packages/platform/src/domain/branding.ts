import { createHash } from 'node:crypto';
import { MAX_LOGO_BYTES, type BrandingFields, type BrandingUpdateParams, type LogoContentType } from '@highrise/sdk/schemas';
import type { BrandingRow } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { InvalidField, LimitExceeded, NotFound } from './errors';
import type { Actor, Principal } from './principal';
import { tenantInService } from './status';
import type { TenantAccess } from './tenants';
import { systemScope } from './system-scope';

/** Where a branding lives: the provider's, one reseller's, or one tenant's (through its scope). */
export type BrandingLevel = { kind: 'provider' } | { kind: 'reseller'; resellerId: string } | { kind: 'tenant'; access: TenantAccess };

export interface LogoView {
  contentType: LogoContentType;
  sizeBytes: number;
  sha256: string;
}

export interface EffectiveBrandingView {
  productName: string;
  colors: { accent: string; background: string; text: string };
  fontFamily: string;
  support: NonNullable<BrandingFields['support']>;
  poweredBy: boolean;
  logo: LogoView | null;
}

export interface BrandingView {
  level: BrandingLevel['kind'];
  own: BrandingFields & { logo: LogoView | null };
  effective: EffectiveBrandingView;
  updatedAt: string | null;
}

/** What a platform nobody has branded shows: the softphone's own defaults. */
export const DEFAULT_BRANDING: EffectiveBrandingView = {
  productName: 'Highrise',
  colors: { accent: '#2563eb', background: '#ffffff', text: '#1f2933' },
  fontFamily: 'system-ui, sans-serif',
  support: {},
  poweredBy: true,
  logo: null,
};

const logoView = (row: BrandingRow | undefined): LogoView | null =>
  row?.logo ? { contentType: row.logo.contentType as LogoContentType, sizeBytes: row.logo.sizeBytes, sha256: row.logo.sha256 } : null;

/**
 * Resolves fields from the nearest level that sets them (nearest first). Colours resolve one by one;
 * a support contact is taken whole from one level, so a tenant's email never appears beside its
 * provider's phone number.
 */
function resolve(levels: readonly (BrandingRow | undefined)[]): EffectiveBrandingView {
  const pick = <K extends keyof BrandingFields>(key: K): BrandingFields[K] | undefined => {
    for (const l of levels) if (l && l.fields[key] !== undefined) return l.fields[key] as BrandingFields[K];
    return undefined;
  };
  const colour = (key: 'accent' | 'background' | 'text'): string => {
    for (const l of levels) {
      const value = (l?.fields.colors as BrandingFields['colors'])?.[key];
      if (value !== undefined) return value;
    }
    return DEFAULT_BRANDING.colors[key];
  };
  const withLogo = levels.find((l) => l?.logo);
  return {
    productName: pick('productName') ?? DEFAULT_BRANDING.productName,
    colors: { accent: colour('accent'), background: colour('background'), text: colour('text') },
    fontFamily: pick('fontFamily') ?? DEFAULT_BRANDING.fontFamily,
    support: pick('support') ?? DEFAULT_BRANDING.support,
    poweredBy: pick('poweredBy') ?? DEFAULT_BRANDING.poweredBy,
    logo: logoView(withLogo),
  };
}

/** The provider's level may be read by provider keys; a reseller's by the provider and itself; anyone else finds nothing. */
async function checkLevel(ctx: DomainContext, principal: Principal, level: BrandingLevel): Promise<void> {
  if (level.kind !== 'reseller') return;
  if (principal.kind === 'reseller' && principal.resellerId !== level.resellerId) throw new NotFound('reseller');
  if (principal.kind !== 'provider' && principal.kind !== 'reseller') throw new NotFound('reseller');
  if (!(await ctx.store.resellers.get(level.resellerId))) throw new NotFound('reseller');
}

const ownRow = (ctx: DomainContext, level: BrandingLevel): Promise<BrandingRow | undefined> =>
  level.kind === 'provider' ? ctx.store.brandings.get('provider') : level.kind === 'reseller' ? ctx.store.brandings.get(level.resellerId) : level.access.scope.branding.get();

/** The rows above a level, nearest first. */
async function rowsAbove(ctx: DomainContext, level: BrandingLevel): Promise<(BrandingRow | undefined)[]> {
  const provider = await ctx.store.brandings.get('provider');
  if (level.kind === 'provider') return [];
  if (level.kind === 'reseller') return [provider];
  const resellerId = level.access.tenant.resellerId;
  return [resellerId ? await ctx.store.brandings.get(resellerId) : undefined, provider];
}

function view(level: BrandingLevel, own: BrandingRow | undefined, above: (BrandingRow | undefined)[]): BrandingView {
  return {
    level: level.kind,
    own: { ...(own?.fields as BrandingFields | undefined), logo: logoView(own) },
    effective: resolve([own, ...above]),
    updatedAt: own?.updatedAt ?? null,
  };
}

export async function retrieveBranding(ctx: DomainContext, principal: Principal, level: BrandingLevel): Promise<BrandingView> {
  await checkLevel(ctx, principal, level);
  return view(level, await ownRow(ctx, level), await rowsAbove(ctx, level));
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

/** Decodes and checks a logo: its bytes must be the image type it claims, within the size cap. */
function acceptLogo(logo: NonNullable<BrandingUpdateParams['logo']>): NonNullable<BrandingRow['logo']> {
  const bytes = Buffer.from(logo.data, 'base64');
  if (bytes.byteLength === 0) throw new InvalidField('logo.data', 'is empty');
  if (bytes.byteLength > MAX_LOGO_BYTES) throw new InvalidField('logo.data', `the logo may be at most ${MAX_LOGO_BYTES} bytes`);
  const sniffed = startsWith(bytes, PNG) ? 'image/png' : startsWith(bytes, JPEG) ? 'image/jpeg' : undefined;
  if (sniffed === undefined) throw new InvalidField('logo.data', 'is not a PNG or JPEG image');
  if (sniffed !== logo.contentType) throw new InvalidField('logo.contentType', `the image is ${sniffed}`);
  return { contentType: sniffed, base64: bytes.toString('base64'), sizeBytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Bytes a tenant's logo takes from its storage limit. */
export async function tenantLogoBytes(access: TenantAccess): Promise<number> {
  return (await access.scope.branding.get())?.logo?.sizeBytes ?? 0;
}

/**
 * Replaces a level's own branding (absent fields are inherited; an absent `logo` keeps the current
 * one, `null` removes it). A tenant's logo counts against its storage limit with its port documents.
 */
export async function updateBranding(ctx: DomainContext, actor: Actor, level: BrandingLevel, input: BrandingUpdateParams): Promise<BrandingView> {
  await checkLevel(ctx, actor.principal, level);
  const { logo, ...fields } = input;
  const newLogo = logo ? acceptLogo(logo) : undefined;
  return ctx.store.transaction(async () => {
    const before = await ownRow(ctx, level);
    const row: BrandingRow = {
      fields: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
      logo: logo === undefined ? (before?.logo ?? null) : (newLogo ?? null),
      updatedAt: ctx.now().toISOString(),
    };
    if (level.kind === 'tenant') {
      const { access } = level;
      // The limit as stored now (a PATCH that lowered it a moment ago counts), the old logo's bytes freed.
      const limit = (await ctx.store.tenants.get(access.tenant.id))?.limits.storageBytes ?? access.tenant.limits.storageBytes;
      const used = await access.scope.portOrders.documents.totalBytes();
      if (newLogo && used + newLogo.sizeBytes > limit) {
        ctx.usage?.refused(access.tenant.id, 'storage');
        throw new LimitExceeded('storage', limit);
      }
      await access.scope.branding.set(row);
      ctx.usage?.storage(access.tenant.id, used + (before?.logo?.sizeBytes ?? 0), used + (row.logo?.sizeBytes ?? 0));
    } else {
      await ctx.store.brandings.set(level.kind === 'provider' ? 'provider' : level.resellerId, row);
    }
    const audited = (r: BrandingRow | undefined) => r && { ...r.fields, logo: logoView(r) };
    const scope = level.kind === 'tenant' ? level.access.capability : null;
    const targetId = level.kind === 'provider' ? 'provider' : level.kind === 'reseller' ? level.resellerId : level.access.tenant.id;
    await recordAudit(ctx, actor, scope, 'branding.updated', targetId, { targetType: 'branding', before: audited(before) ?? null, after: audited(row) });
    return view(level, row, await rowsAbove(ctx, level));
  });
}

/**
 * The branding rows that apply to a SIP domain, nearest first, for anyone. A domain that is not a
 * tenant's in service (unknown, malformed, suspended, or its reseller suspended) gets the provider's
 * alone, exactly as a tenant that sets nothing of its own: nothing tells the two apart.
 */
async function publicLevels(ctx: DomainContext, domain: string): Promise<(BrandingRow | undefined)[]> {
  const provider = await ctx.store.brandings.get('provider');
  const suffix = `.${ctx.baseSipDomain}`;
  const slug = domain.endsWith(suffix) ? domain.slice(0, -suffix.length) : '';
  const tenant = /^[a-z0-9-]{1,63}$/.test(slug) ? await ctx.store.tenants.getBySlug(slug) : undefined;
  if (!tenant || !(await tenantInService(ctx, tenant))) return [provider];
  const reseller = tenant.resellerId ? await ctx.store.brandings.get(tenant.resellerId) : undefined;
  return [await ctx.store.tenant(systemScope('public branding', tenant.id)).branding.get(), reseller, provider];
}

export async function publicBranding(ctx: DomainContext, domain: string): Promise<EffectiveBrandingView> {
  return resolve(await publicLevels(ctx, domain));
}

/** The effective logo's bytes for a SIP domain, or undefined. */
export async function publicLogo(ctx: DomainContext, domain: string): Promise<{ contentType: string; bytes: Buffer; sha256: string } | undefined> {
  const logo = (await publicLevels(ctx, domain)).find((l) => l?.logo)?.logo;
  return logo ? { contentType: logo.contentType, bytes: Buffer.from(logo.base64, 'base64'), sha256: logo.sha256 } : undefined;
}
