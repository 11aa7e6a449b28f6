import { z } from 'zod';
import { prefixedId, Timestamp, listOf, OrderedListParams } from './common';
import { ExtensionNumber } from './extensions';
import { TenantId } from './tenants';

export const CallId = prefixedId('cal').meta({ id: 'CallId', example: 'cal_01JD8X3E5Q7R2T4V6W8Y0Z1A2B' });

export const CallDirection = z
  .enum(['internal', 'inbound', 'outbound'])
  .meta({ id: 'CallDirection', description: '`internal`: between two extensions of the tenant' });
export type CallDirection = z.infer<typeof CallDirection>;

export const CallDisposition = z
  .enum(['answered', 'no_answer', 'busy', 'failed', 'cancelled', 'limit', 'rejected'])
  .meta({
    id: 'CallDisposition',
    description:
      '`answered` (2xx), `no_answer` (rang out: 408/480/timeout), `busy` (486/600), `cancelled` (caller gave up), ' +
      '`limit` (refused by the tenant\'s channel limit), `rejected` (403/603 or a foreign domain), `failed` (anything else)',
  });
export type CallDisposition = z.infer<typeof CallDisposition>;

export const Call = z
  .object({
    id: CallId,
    object: z.literal('call'),
    tenantId: TenantId,
    callId: z.string().meta({ description: 'SIP Call-ID of the first INVITE' }),
    from: z.string().meta({ description: 'Calling party as the edge saw it (an extension number)', example: '101' }),
    to: z.string().meta({ description: 'Dialled string', example: '102' }),
    direction: CallDirection,
    startedAt: Timestamp,
    answeredAt: Timestamp.nullable(),
    endedAt: Timestamp,
    durationSeconds: z.number().int().min(0).meta({ description: 'Answer to end; 0 when never answered' }),
    disposition: CallDisposition,
    sipStatus: z.number().int().nullable().meta({ description: 'Final SIP status the caller got', example: 200 }),
  })
  .meta({ id: 'Call' });
export type Call = z.infer<typeof Call>;

export const CallListParams = OrderedListParams.extend({
  from: ExtensionNumber.optional(),
  to: z.string().min(1).max(64).optional(),
  extension: ExtensionNumber.optional().meta({ description: 'Calls from or to this extension' }),
  disposition: CallDisposition.optional(),
  direction: CallDirection.optional(),
  startedFrom: Timestamp.optional().meta({ description: 'Calls started at or after this time' }),
  startedBefore: Timestamp.optional().meta({ description: 'Calls started before this time' }),
}).meta({ id: 'CallListParams' });
/** `limit`, `cursor` and `order` (newest first with `desc`) as for every ordered list, plus the filters. */
export type CallListParams = Omit<z.input<typeof CallListParams>, 'limit'> & { limit?: number };

export const CallList = listOf(Call).meta({ id: 'CallList' });
