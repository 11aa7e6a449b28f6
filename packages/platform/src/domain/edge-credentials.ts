import { createHmac } from 'node:crypto';

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
 * The extension's row id is signed in too (`<expiry>:<ext>.<extension id>@<domain>`), and the edge
 * looks that row up: credentials minted for a 101 that was deleted and created again are refused,
 * not inherited by the new 101.
 */

/**
 * Where the `auth_ephemeral` secret lives (`settings`): `highrise kamailio-config` renders it into
 * kamailio.cfg, the platform mints with it; whichever runs first creates it.
 */
export const EPHEMERAL_SECRET_SETTING = 'kamailio.ephemeral_secret';

export interface EdgeCredentials {
  /** `<expiry, unix seconds>:<extension>.<extension row id>@<tenant SIP domain>` */
  username: string;
  password: string;
  expiresAt: Date;
}

export function mintEdgeCredentials(secret: string, input: { extension: string; extensionId: string; sipDomain: string; expiresAt: Date }): EdgeCredentials {
  if (!/^[0-9]+$/.test(input.extension)) throw new Error('an extension number is digits only');
  if (!/^[A-Za-z0-9_]{1,64}$/.test(input.extensionId)) throw new Error('an extension id is letters, digits and underscores');
  if (!/^[a-z0-9.-]+$/.test(input.sipDomain)) throw new Error('a SIP domain is lower-case letters, digits, dots and hyphens');
  const expiry = Math.floor(input.expiresAt.getTime() / 1000);
  const username = `${expiry}:${input.extension}.${input.extensionId}@${input.sipDomain}`;
  return { username, password: edgePassword(secret, username), expiresAt: new Date(expiry * 1000) };
}

/** What `auth_ephemeral` computes for a username (its default `sha_algorithm`, SHA-1). */
export const edgePassword = (secret: string, username: string) => createHmac('sha1', secret).update(username).digest('base64');
