// A registrar in trouble: the SIP edge answers REGISTER with 503 and Retry-After (during a
// restart or overload, which the real edge cannot be made to do on demand). A raw SIP-over-
// WebSocket responder on 127.0.0.1 plays that registrar; the phone in Chromium must say when it
// will retry, retry then, and register, over the same socket.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { screenshotOnFailure, type TrackedPage } from './pages';
import { openPhonePage } from './softphone-page';

/** Answers each REGISTER with the next status of `script` (the last one repeats). */
async function startRegistrar(script: { status: number; reason: string; headers?: string[] }[]) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
  const registers: number[] = [];
  const sockets = new Set<WebSocket>();
  server.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('message', (data) => {
      const text = data.toString();
      if (!text.startsWith('REGISTER ')) return;
      registers.push(Date.now());
      const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(text)?.[1] ?? '';
      const step = script[Math.min(registers.length - 1, script.length - 1)]!;
      const ok = step.status === 200;
      ws.send(
        [
          `SIP/2.0 ${step.status} ${step.reason}`,
          `Via: ${header('Via')}`,
          `From: ${header('From')}`,
          `To: ${header('To')};tag=registrar`,
          `Call-ID: ${header('Call-ID')}`,
          `CSeq: ${header('CSeq')}`,
          ...(ok ? [`Contact: ${header('Contact')};expires=600`] : []),
          ...(step.headers ?? []),
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
    });
  });
  await once(server, 'listening');
  return {
    url: () => `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sip`,
    registers,
    connections: () => sockets.size,
    close: () => {
      for (const ws of sockets) ws.terminate();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('softphone registration retries', () => {
  let world: SoftphoneWorld;
  let pages: TrackedPage[] = [];
  let registrar: Awaited<ReturnType<typeof startRegistrar>> | undefined;
  beforeAll(async () => {
    world = await startSoftphoneWorld();
  });
  afterEach(async () => {
    await Promise.all(pages.map((p) => p.page.context().close().catch(() => {})));
    pages = [];
    await registrar?.close();
  });
  afterAll(async () => {
    await world?.close();
  });

  test('a 503 with Retry-After says when the phone retries, and it registers then, on the same socket', async () => {
    screenshotOnFailure('retry-after', () => pages);
    registrar = await startRegistrar([
      { status: 503, reason: 'Service Unavailable', headers: ['Retry-After: 2'] },
      { status: 200, reason: 'OK' },
    ]);
    const phone = await openPhonePage(world.browser, world.origin, 'retry', {
      server: registrar.url(),
      domain: 'acme.sip.localhost',
      extension: '101',
      password: 'unused',
    });
    pages.push(phone);

    await phone.waitForAttribute('registration', 'registered', 10_000);
    const failure = (await phone.history()).events.find((e) => e.type === 'highrise-registration-failed')?.detail;
    expect(failure).toMatchObject({ reason: '503 Service Unavailable', statusCode: 503, retryAt: expect.any(Number) });
    // It said when, and kept its word: the second REGISTER came about 2 s after the first.
    const [first, second] = registrar.registers;
    expect(second! - first!).toBeGreaterThanOrEqual(1_900);
    expect(Math.abs(second! - (failure!.retryAt as number))).toBeLessThan(1_000);
    expect(registrar.connections()).toBe(1);
    // The user read a sentence meanwhile, and it is gone now that the phone is registered.
    expect(await phone.part('problem').count()).toBe(0);
    expect(await phone.part('status').textContent()).toBe('Ready · 101');
  });

  test('a 4xx is final: the event says no retry follows', async () => {
    screenshotOnFailure('final refusal', () => pages);
    registrar = await startRegistrar([{ status: 403, reason: 'Forbidden' }]);
    const phone = await openPhonePage(world.browser, world.origin, 'refused', {
      server: registrar.url(),
      domain: 'acme.sip.localhost',
      extension: '101',
      password: 'unused',
    });
    pages.push(phone);
    await phone.waitForAttribute('registration', 'failed', 10_000);
    const failure = (await phone.history()).events.find((e) => e.type === 'highrise-registration-failed')?.detail;
    expect(failure).toMatchObject({ reason: '403 Forbidden', statusCode: 403 });
    // The event's contract: no `retryAt` exactly when no retry follows (no timed wait for a retry
    // that should not come).
    expect(failure?.retryAt).toBeUndefined();
    expect(await phone.part('problem').textContent()).toBe('Sign-in refused — check the credentials');
    expect(registrar.registers).toHaveLength(1);
  });
});
