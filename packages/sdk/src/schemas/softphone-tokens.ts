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

export const SipCredentials = z
  .object({
    username: z.string().meta({ description: "`<expiry, unix seconds>:<extension>.<extension id>.<signing key id>@<tenant SIP domain>`; the key id names the tenant's softphone signing key, so rotating it stops these credentials too", example: '1764640800:101.ext_01J8Z3.0e2b74adbfc2b2ad@acme-dental.sip.localhost' }),
    password: z.string().meta({ description: 'base64(HMAC-SHA1(edge secret, username)), which Kamailio checks (`auth_ephemeral`) without asking the platform' }),
    expiresAt: Timestamp,
  })
  .meta({
    id: 'SipCredentials',
    description: 'Digest credentials for the Kamailio edge, minted with the token and expiring with it; present only when the platform runs behind Kamailio (`highrise start --kamailio-ws-url`). The token carries them too, so the widget needs only the token',
  });
export type SipCredentials = z.infer<typeof SipCredentials>;

export const SoftphoneToken = z
  .object({
    token: z.string().meta({ description: 'Signed, short-lived; pass to <highrise-softphone token>' }),
    expiresAt: Timestamp,
    sipUri: z.string().meta({ example: 'sip:101@acme-dental.sip.localhost' }),
    wsUrl: z.string().meta({ description: 'WebSocket endpoint of the SIP edge (the first of `wsUrls`)', example: 'wss://pbx.example.com/sip' }),
    wsUrls: z.array(z.string()).optional().meta({ description: 'Every WebSocket endpoint of the SIP edge, in the order to try them: several with Kamailio nodes (`highrise start --kamailio-ws-url`); the widget moves to the next when one drops', example: ['wss://sip1.example.com/', 'wss://sip2.example.com/'] }),
    sipCredentials: SipCredentials.optional(),
    iceServers: z.array(IceServer).meta({ description: "STUN/TURN servers for the widget's calls. With TURN configured (`highrise start --turn-url`), one entry carries a TURN credential that expires with the token: fetch a new token, get a new credential" }),
  })
  .meta({ id: 'SoftphoneToken' });
export type SoftphoneToken = z.infer<typeof SoftphoneToken>;
