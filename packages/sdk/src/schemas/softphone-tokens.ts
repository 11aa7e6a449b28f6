import { z } from 'zod';
import { Timestamp } from './common';
import { ExtensionNumber } from './extensions';

export const IceServer = z
  .object({
    urls: z.union([z.string(), z.array(z.string())]),
    username: z.string().optional(),
    credential: z.string().optional(),
  })
  .meta({ id: 'IceServer' });
export type IceServer = z.infer<typeof IceServer>;

export const SoftphoneTokenCreateParams = z
  .strictObject({
    extension: ExtensionNumber.meta({ description: 'The extension number the widget will register as' }),
    ttlSeconds: z.number().int().min(60).max(86_400).default(3600),
  })
  .meta({ id: 'SoftphoneTokenCreateParams' });
export type SoftphoneTokenCreateParams = z.input<typeof SoftphoneTokenCreateParams>;

export const SoftphoneToken = z
  .object({
    token: z.string().meta({ description: 'Signed, short-lived; pass to <highrise-softphone token>' }),
    expiresAt: Timestamp,
    sipUri: z.string().meta({ example: 'sip:101@acme-dental.sip.localhost' }),
    wsUrl: z.string().meta({ description: 'WebSocket endpoint of the SIP edge; the widget opens it as `<wsUrl>?token=<token>`', example: 'wss://pbx.example.com/sip' }),
    iceServers: z.array(IceServer),
  })
  .meta({ id: 'SoftphoneToken' });
export type SoftphoneToken = z.infer<typeof SoftphoneToken>;
