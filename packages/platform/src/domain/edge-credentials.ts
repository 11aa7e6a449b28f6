import { createHash, createHmac } from 'node:crypto';

/*
 * Ephemeral SIP credentials for the Kamailio edge (docs/decisions/2026-12-01-kamailio-edge.md):
 * the scheme Kamailio's `auth_ephemeral` module verifies with nothing but a shared secret, so a
 * widget's REGISTERs never wait on the platform. The username carries its own expiry and the
 * tenant's SIP domain; the password is base64(HMAC-SHA1(secret, username)).
 *
 * The domain is inside the signed username because the secret is shared by every tenant: without
 * it, Acme's credentials for 101 would be just as good for Globex's 101. The edge checks that the
 * username's domain is the request's From domain (`autheph_check_from`), and the digest realm is
 * that domain as for any extension.
 *
 * The extension's row id is signed in too, and the edge looks that row up: credentials minted for a
 * 101 that was deleted and created again are refused, not inherited by the new 101.
 *
 * So is the id of the tenant's softphone signing key (`signingKeyId`), and the edge's one lookup
 * requires it to be the tenant's current one: rotating the key stops every earlier token at Kamailio
 * as it does at the embedded edge (docs/decisions/2026-12-03-kamailio-token-revocation.md).
 * Username: `<expiry>:<ext>.<extension id>.<key id>@<domain>`.
 */

/**
 * Where the `auth_ephemeral` secret lives (`settings`): `highrise kamailio-config` renders it into
 * kamailio.cfg, the platform mints with it; whichever runs first creates it.
 */
export const EPHEMERAL_SECRET_SETTING = 'kamailio.ephemeral_secret';

/**
 * A non-secret name for one generation of a tenant's softphone signing seed: the first 16 hex digits
 * of SHA-256('highrise-kamailio-key-id:' + seed). The subscriber view (migration 0026) computes the
 * same from `tenant_signing_keys`, so Kamailio's database role sees this id, never the seed; change
 * both together.
 */
export const signingKeyId = (seed: string) => createHash('sha256').update(`highrise-kamailio-key-id:${seed}`).digest('hex').slice(0, 16);

export interface EdgeCredentials {
  /** `<expiry, unix seconds>:<extension>.<extension row id>.<signing key id>@<tenant SIP domain>` */
  username: string;
  password: string;
  expiresAt: Date;
}

export function mintEdgeCredentials(secret: string, input: { extension: string; extensionId: string; keyId: string; sipDomain: string; expiresAt: Date }): EdgeCredentials {
  if (!/^[0-9]+$/.test(input.extension)) throw new Error('an extension number is digits only');
  if (!/^[A-Za-z0-9_]{1,64}$/.test(input.extensionId)) throw new Error('an extension id is letters, digits and underscores');
  if (!/^[0-9a-f]{16}$/.test(input.keyId)) throw new Error('a signing key id is 16 hex digits (signingKeyId)');
  if (!/^[a-z0-9.-]+$/.test(input.sipDomain)) throw new Error('a SIP domain is lower-case letters, digits, dots and hyphens');
  const expiry = Math.floor(input.expiresAt.getTime() / 1000);
  const username = `${expiry}:${input.extension}.${input.extensionId}.${input.keyId}@${input.sipDomain}`;
  return { username, password: edgePassword(secret, username), expiresAt: new Date(expiry * 1000) };
}

/** What `auth_ephemeral` computes for a username (its default `sha_algorithm`, SHA-1). */
export const edgePassword = (secret: string, username: string) => createHmac('sha1', secret).update(username).digest('base64');
