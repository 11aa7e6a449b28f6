import { randomBytes } from 'node:crypto';
import type { Store } from '../store/types';
import { EPHEMERAL_SECRET_SETTING } from './edge-credentials';
import { settingReader } from './sip-route-decision';
import type { SoftphoneEdge } from './softphone-tokens';

/** A Kamailio node's WebSocket URL as softphone tokens name it. */
export const isWebSocketUrl = (url: string) => {
  try {
    const { protocol, hostname } = new URL(url);
    return (protocol === 'ws:' || protocol === 'wss:') && hostname !== '';
  } catch {
    return false;
  }
};

/** Refuses a Kamailio edge the platform could not mint for, before anything starts. */
export function checkKamailioEdgeOptions(kamailio: { wsUrls?: string[] | undefined } | undefined, databaseUrl: string | undefined): void {
  if (kamailio?.wsUrls === undefined) return;
  if (databaseUrl === undefined) throw new Error('kamailio needs databaseUrl: Kamailio reads the directory from PostgreSQL');
  if (kamailio.wsUrls.length === 0 || !kamailio.wsUrls.every(isWebSocketUrl)) {
    throw new Error(`kamailio.wsUrls must be ws:// or wss:// URLs, not ${JSON.stringify(kamailio.wsUrls)}`);
  }
}

/**
 * The `auth_ephemeral` secret, created at start when `highrise kamailio-config` has not run yet:
 * inserted only when absent, so the platform and every rendered kamailio.cfg hold the same one.
 */
export async function ensureEphemeralSecret(store: Store): Promise<void> {
  await store.settings.getOrInsert(EPHEMERAL_SECRET_SETTING, randomBytes(32).toString('base64url'));
}

/**
 * Where the platform's softphone tokens send the widget, asked for each token. The embedded edge:
 * this node's own URL. Kamailio: its nodes, and the `auth_ephemeral` secret (see
 * ensureEphemeralSecret) read with a short cache, so a secret replaced in the settings is minted
 * with within seconds on every node.
 */
export function softphoneEdgeSource(
  store: Store,
  kamailio: { wsUrls?: string[] | undefined } | undefined,
  embedded: { wsUrl(): string; apiOrigin(): string },
): () => Promise<SoftphoneEdge> {
  if (kamailio?.wsUrls === undefined) return async () => ({ wsUrls: [embedded.wsUrl()] });
  const secret = settingReader(store.settings, EPHEMERAL_SECRET_SETTING);
  const wsUrls = [...kamailio.wsUrls];
  return async () => {
    const ephemeralSecret = await secret();
    if (ephemeralSecret === undefined) throw new Error(`the setting ${EPHEMERAL_SECRET_SETTING} is gone: re-run highrise kamailio-config or restart a platform node`);
    // Kamailio's URL says nothing of where the platform is: the widget's branding asks `api`.
    return { wsUrls, ephemeralSecret, apiOrigin: embedded.apiOrigin() };
  };
}
