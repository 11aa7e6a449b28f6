import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, isForbiddenAddress, webhookUrlProblem, WebhookDestinationForbidden } from './webhook-destinations';
import { postWebhook, WebhookAttemptFailed } from './webhook-transport';

const refuse = { allowPrivate: false };
const allow = { allowPrivate: true };

describe('isForbiddenAddress', () => {
  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.170',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::127.0.0.1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'febf::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    '64:ff9b::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::192.168.0.1',
    '2002:7f00:1::',
    '2002:c0a8:101::1',
    'not-an-address',
    'localhost',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '198.17.255.255', '198.20.0.0', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450::1', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:808:808::1'])(
    'allows %s',
    (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    },
  );
});

describe('webhookUrlProblem', () => {
  it.each([
    'http://127.0.0.1:6379/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0/',
    'http://１２７.０.０.１/',
    'http://127.0.0.1./',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[0:0:0:0:0:ffff:7f00:0001]/',
    'http://[64:ff9b::10.0.0.1]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://localhost/',
    'http://LOCALHOST./',
    'http://api.localhost:8080/',
    'ftp://hooks.example.com/',
    'file:///etc/passwd',
    'https://user:pw@hooks.example.com/',
    'not a url',
  ])('refuses %s', (url) => {
    expect(webhookUrlProblem(url, refuse)).toEqual(expect.any(String));
  });

  it.each(['https://hooks.example.com/highrise', 'http://8.8.8.8:8080/x', 'https://[2606:4700::1111]/', 'http://localhost.example.com/'])('allows %s', (url) => {
    expect(webhookUrlProblem(url, refuse)).toBeNull();
  });

  it('allows private destinations only under the opt-in, and never another scheme or a user in the URL', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9/', allow)).toBeNull();
    expect(webhookUrlProblem('http://localhost:9/', allow)).toBeNull();
    expect(webhookUrlProblem('gopher://127.0.0.1:9/', allow)).toEqual(expect.any(String));
    expect(webhookUrlProblem('http://a:b@127.0.0.1:9/', allow)).toEqual(expect.any(String));
  });
});

/** A receiver on loopback that counts what reaches it. */
let receiver: Server;
let port: number;
let hits = 0;
beforeAll(async () => {
  receiver = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(req.url === '/redirect' ? 302 : 204, req.url === '/redirect' ? { Location: `http://127.0.0.1:${port}/elsewhere` } : {}).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const lookupOf = (policy: { allowPrivate: boolean }, hostname: string) =>
  new Promise<{ address: string }[]>((resolve, reject) =>
    guardedLookup(policy)(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses as { address: string }[]))),
  );

describe('guardedLookup, the check at connect time', () => {
  it('refuses a name whose real DNS answer is loopback, and hands the checked addresses on under the opt-in', async () => {
    await expect(lookupOf(refuse, 'localhost')).rejects.toBeInstanceOf(WebhookDestinationForbidden);
    await expect(lookupOf(refuse, 'localhost')).rejects.toMatchObject({ code: 'ERR_WEBHOOK_DESTINATION_FORBIDDEN' });
    const allowed = await lookupOf(allow, 'localhost');
    expect(allowed.every((a) => isForbiddenAddress(a.address))).toBe(true);
    expect(allowed.length).toBeGreaterThan(0);
  });

  it('stops a socket before it connects: the receiver behind the name never sees the request', async () => {
    // The same wiring postWebhook uses, with nothing in front of the lookup (no check of the URL).
    const before = hits;
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: 'localhost', port, method: 'POST', lookup: guardedLookup(refuse) as never, agent: false }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
      req.end('{}');
    });
    expect(outcome).toBe('ERR_WEBHOOK_DESTINATION_FORBIDDEN');
    expect(hits).toBe(before);

    const through = await new Promise<string>((resolve) => {
      const req = request({ host: 'localhost', port, method: 'POST', lookup: guardedLookup(allow) as never, agent: false }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
      req.end('{}');
    });
    expect(through).toBe('answered 204');
    expect(hits).toBe(before + 1);
  });
});

describe('postWebhook', () => {
  const post = (url: string, policy = refuse) => postWebhook({ url, headers: { 'Content-Type': 'application/json' }, body: '{}', policy, timeoutMs: 2000, signal: new AbortController().signal });
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'delivered',
      (error: unknown) => (error instanceof WebhookAttemptFailed ? { failure: error.failure, statusCode: error.statusCode } : error),
    );

  it('refuses loopback by literal, by WHATWG-normalised literal and by name, without reaching the receiver', async () => {
    const before = hits;
    for (const url of [`http://127.0.0.1:${port}/`, `http://0x7f.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://localhost:${port}/`]) {
      expect(await failureOf(post(url)), url).toEqual({ failure: 'destination_forbidden', statusCode: null });
    }
    expect(hits).toBe(before);
  });

  it('sends under the opt-in, and reports failures as classes: no redirect is followed', async () => {
    expect(await post(`http://127.0.0.1:${port}/hooks`, allow)).toBe(204);
    const before = hits;
    expect(await failureOf(post(`http://127.0.0.1:${port}/redirect`, allow))).toEqual({ failure: 'http_error', statusCode: 302 });
    expect(hits, 'the redirect target was not requested').toBe(before + 1);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await failureOf(post(`http://127.0.0.1:${closedPort}/`, allow))).toEqual({ failure: 'connection_failed', statusCode: null });
  });
});
