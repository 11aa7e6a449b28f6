import { afterEach, describe, expect, test } from 'vitest';
import { UserAgent } from 'sip.js/lib/api/user-agent.js';
import { FailoverTransport } from './failover-transport';

/** Records the URL of every WebSocket sip.js opens; never connects, and closes when told. */
class RecordingWebSocket {
  static opened: string[] = [];
  readyState = 0;
  #listeners: { type: string; listener: (event: unknown) => void }[] = [];
  constructor(readonly url: string) {
    RecordingWebSocket.opened.push(url);
  }
  addEventListener(type: string, listener: (event: unknown) => void) {
    this.#listeners.push({ type, listener });
  }
  removeEventListener() {}
  close() {
    // Asynchronously, as a browser does.
    setTimeout(() => {
      this.readyState = 3;
      for (const { type, listener } of this.#listeners) if (type === 'close') listener({ code: 1000, reason: '', wasClean: true });
    }, 0);
  }
}

const original = (globalThis as { WebSocket?: unknown }).WebSocket;
afterEach(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = original;
  RecordingWebSocket.opened = [];
});

describe('FailoverTransport', () => {
  test("sip.js's Transport opens the URL the getter names at each connect, so next() moves to the following node", async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = RecordingWebSocket;
    const ua = new UserAgent({
      uri: UserAgent.makeURI('sip:101@acme.sip.localhost'),
      transportConstructor: FailoverTransport,
      transportOptions: { server: 'ws://127.0.0.1:5065/', connectionTimeout: 1 },
      logLevel: 'error',
    });
    const transport = ua.transport as FailoverTransport;
    transport.urls = ['ws://127.0.0.1:5065/', 'ws://127.0.0.2:5065/'];
    expect(transport.server).toBe('ws://127.0.0.1:5065/');
    void transport.connect().catch(() => {});
    transport.next();
    await transport.disconnect().catch(() => {});
    void transport.connect().catch(() => {});
    transport.next();
    expect(transport.server).toBe('ws://127.0.0.1:5065/');
    await transport.disconnect().catch(() => {});
    expect(RecordingWebSocket.opened).toEqual(['ws://127.0.0.1:5065/', 'ws://127.0.0.2:5065/']);
  });
});
