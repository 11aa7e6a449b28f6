import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import type { Store } from '../store/types';
import { EPHEMERAL_SECRET_SETTING } from './edge-credentials';
import { checkKamailioEdgeOptions, ensureEphemeralSecret, softphoneEdgeSource } from './softphone-edge';

let store: Store;
beforeEach(async () => {
  store = await openKyselyStore({ sqlite: { filename: ':memory:' } });
});
afterEach(() => store.close());

const embedded = { wsUrl: () => 'ws://127.0.0.1:8080/sip', apiOrigin: () => 'http://127.0.0.1:8080' };

describe('the softphone edge', () => {
  it('is the embedded edge without kamailio.wsUrls (the outbox interval alone changes nothing)', async () => {
    expect(await softphoneEdgeSource(store, undefined, embedded)()).toEqual({ wsUrls: ['ws://127.0.0.1:8080/sip'] });
    expect(await softphoneEdgeSource(store, { outboxIntervalMs: 100 } as never, embedded)()).toEqual({ wsUrls: ['ws://127.0.0.1:8080/sip'] });
  });

  it("is Kamailio's nodes with the secret kamailio-config keeps, created once by whichever comes first", async () => {
    await store.settings.getOrInsert(EPHEMERAL_SECRET_SETTING, 'rendered-by-kamailio-config');
    await ensureEphemeralSecret(store);
    const wsUrls = ['wss://sip1.example.com/', 'wss://sip2.example.com/'];
    expect(await softphoneEdgeSource(store, { wsUrls }, embedded)()).toEqual({ wsUrls, ephemeralSecret: 'rendered-by-kamailio-config', apiOrigin: 'http://127.0.0.1:8080' });
  });

  it('refuses a Kamailio edge without PostgreSQL or with URLs that are not WebSocket URLs', () => {
    expect(() => checkKamailioEdgeOptions({ wsUrls: ['wss://sip1.example.com/'] }, undefined)).toThrow(/databaseUrl/);
    expect(() => checkKamailioEdgeOptions({ wsUrls: [] }, 'postgres://db/x')).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => checkKamailioEdgeOptions({ wsUrls: ['https://sip1.example.com/'] }, 'postgres://db/x')).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => checkKamailioEdgeOptions({ wsUrls: ['wss://sip1.example.com/'] }, 'postgres://db/x')).not.toThrow();
    expect(() => checkKamailioEdgeOptions(undefined, undefined)).not.toThrow();
  });
});
