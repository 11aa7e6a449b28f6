import { z } from 'zod';
import { Timestamp } from './common';
import { ExtensionNumber } from './extensions';

export const IceServer = z
  .object({
    urls: z.union([z.string(), z.array(z.string())]).meta({ example: ['turn:turn.example.com:3478?transport=udp'] }),
    username: z.string().optional().meta({ description: 'For a TURN server: `<expiry, unix seconds>:<subject>` (TURN REST credentials, coturn `use-auth-secret`)', example: '1764640800:101.ten_01J8Z3' }),
    credential: z.string().optional().meta({ description: 'For a TURN server: base64(HMAC-SHA1(secret, username)); refused by the TURN server after the expiry in `username`' }),
  })
  .meta({ id: 'IceServer', description: 'An RTCIceServer for the widget' });
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
    iceServers: z.array(IceServer).meta({ description: "STUN/TURN servers for the widget's calls. With TURN configured (`highrise start --turn-url`), one entry carries a TURN credential that expires with the token: fetch a new token, get a new credential" }),
  })
  .meta({ id: 'SoftphoneToken' });
export type SoftphoneToken = z.infer<typeof SoftphoneToken>;
