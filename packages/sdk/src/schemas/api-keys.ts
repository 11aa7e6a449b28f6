import { z } from 'zod';
import { prefixedId } from './common';

export const ApiKeyId = prefixedId('key').meta({ id: 'ApiKeyId' });

/** A newly minted key. The secret is never shown again; the platform keeps only its hash. */
export const ApiKeySecret = z
  .object({
    id: ApiKeyId,
    secret: z.string().regex(/^hr_(live|test)_/).meta({ example: 'hr_live_key01JD8X3E5Q_3q2…' }),
  })
  .meta({ id: 'ApiKeySecret' });
export type ApiKeySecret = z.infer<typeof ApiKeySecret>;
