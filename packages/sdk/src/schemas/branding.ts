import { z } from 'zod';
import { Timestamp } from './common';

/** `#rgb` or `#rrggbb`: nothing a stylesheet could read as anything but a colour. */
export const HexColor = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour such as #0a5cff')
  .meta({ id: 'HexColor', example: '#0a5cff' });

/**
 * A CSS `font-family` list of plain names (`Inter, "Helvetica Neue", sans-serif`): letters, digits,
 * spaces, hyphens, commas and double quotes only, so no `;`, `}`, `url(` or `\` can leave the value.
 */
export const FontFamily = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9 ,"-]+$/, 'must be a font-family list of names (letters, digits, spaces, hyphens, commas, double quotes)')
  .meta({ id: 'FontFamily', example: 'Inter, "Helvetica Neue", sans-serif' });

/** The logo types served: raster only (SVG can carry script, and sanitising it is not attempted). */
export const LOGO_TYPES = ['image/png', 'image/jpeg'] as const;
export const LogoContentType = z.enum(LOGO_TYPES);
export type LogoContentType = z.infer<typeof LogoContentType>;
/** Largest logo accepted, in bytes (before base64). */
export const MAX_LOGO_BYTES = 256 * 1024;

export const BrandingColors = z
  .strictObject({
    accent: HexColor.optional(),
    background: HexColor.optional(),
    text: HexColor.optional(),
  })
  .meta({ id: 'BrandingColors' });
export type BrandingColors = z.infer<typeof BrandingColors>;

export const SupportContact = z
  .strictObject({
    email: z.email().max(254).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ()-]{3,30}$/, 'must be a phone number such as +1 415 555 0100')
      .optional(),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
  })
  .meta({ id: 'SupportContact' });
export type SupportContact = z.infer<typeof SupportContact>;

/** The branding fields one level sets; an absent field is inherited from the level above. */
export const BrandingFields = z
  .object({
    productName: z.string().trim().min(1).max(60).optional(),
    colors: BrandingColors.optional(),
    fontFamily: FontFamily.optional(),
    support: SupportContact.optional(),
    poweredBy: z.boolean().optional().meta({ description: 'Show "powered by" in the widget' }),
  })
  .meta({ id: 'BrandingFields' });
export type BrandingFields = z.infer<typeof BrandingFields>;

export const LogoUpload = z
  .strictObject({
    contentType: LogoContentType,
    data: z.base64().max(Math.ceil(MAX_LOGO_BYTES / 3) * 4 + 4, 'the logo may be at most 256 KB').meta({ description: 'The image, base64' }),
  })
  .meta({ id: 'LogoUpload' });
export type LogoUpload = z.infer<typeof LogoUpload>;

/**
 * Replaces the level's own branding: every field absent is inherited. `logo`: a new image, `null`
 * to remove it, absent to keep the current one.
 */
export const BrandingUpdateParams = z
  .strictObject({
    productName: BrandingFields.shape.productName,
    colors: BrandingFields.shape.colors,
    fontFamily: BrandingFields.shape.fontFamily,
    support: BrandingFields.shape.support,
    poweredBy: BrandingFields.shape.poweredBy,
    logo: LogoUpload.nullable().optional(),
  })
  .meta({ id: 'BrandingUpdateParams' });
export type BrandingUpdateParams = z.input<typeof BrandingUpdateParams>;

export const LogoInfo = z
  .object({ contentType: LogoContentType, sizeBytes: z.number().int(), sha256: z.string() })
  .meta({ id: 'LogoInfo' });
export type LogoInfo = z.infer<typeof LogoInfo>;

/** Every field resolved: the level's own, else its reseller's, else the provider's, else the default. */
export const EffectiveBranding = z
  .object({
    productName: z.string(),
    colors: z.object({ accent: HexColor, background: HexColor, text: HexColor }),
    fontFamily: z.string(),
    support: SupportContact,
    poweredBy: z.boolean(),
    logo: LogoInfo.nullable(),
  })
  .meta({ id: 'EffectiveBranding' });
export type EffectiveBranding = z.infer<typeof EffectiveBranding>;

export const Branding = z
  .object({
    object: z.literal('branding'),
    level: z.enum(['provider', 'reseller', 'tenant']),
    own: BrandingFields.extend({ logo: LogoInfo.nullable() }),
    effective: EffectiveBranding,
    updatedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Branding' });
export type Branding = z.infer<typeof Branding>;

/**
 * What anyone may read for a SIP domain, without a key: no ids, no names of levels. `logoUrl` is a
 * path on the same platform. An unknown or out-of-service domain gets the platform default.
 */
export const PublicBranding = z
  .object({
    productName: z.string(),
    colors: z.object({ accent: HexColor, background: HexColor, text: HexColor }),
    fontFamily: z.string(),
    support: SupportContact,
    poweredBy: z.boolean(),
    logoUrl: z.string().nullable(),
  })
  .meta({ id: 'PublicBranding' });
export type PublicBranding = z.infer<typeof PublicBranding>;

export const PublicBrandingQuery = z.strictObject({ domain: z.string().trim().toLowerCase().max(253) }).meta({ id: 'PublicBrandingQuery' });
