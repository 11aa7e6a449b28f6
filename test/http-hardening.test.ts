// HTTP-layer hardening against the real platform: what a database dump reveals of one-time
// secrets, hostile bodies (deep nesting, chunked floods, malformed JSON), and idempotent replays.
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allStoredText, startTestPlatform, type TestPlatform } from './support/platform';
import { DATABASE_FILE, startPlatform, type Platform } from '@highrise/platform';
import { ErrorBody, ExtensionWithPassword, SoftphoneToken, TenantCreateResponse } from '@highrise/sdk/schemas';

const bootstrapKey = 'hr_test_bootstrap_hardening_0001';

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let dataDir: string;

interface Call {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(method: string, path: string, options: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Call> {
  const headers: Record<string, string> = { Authorization: `Bearer ${options.key ?? bootstrapKey}`, ...options.headers };
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${platform.url}${path}`, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

function expectError(result: Call, status: number, code: string) {
  expect(result.status, result.text).toBe(status);
  const { error } = ErrorBody.parse(result.json);
  expect(error.code).toBe(code);
  return error;
}

beforeAll(async () => {
  testPlatform = await startTestPlatform('hardening', { bootstrapKey });
  ({ platform, dataDir } = testPlatform);
});

afterAll(async () => {
  await testPlatform?.close();
});

describe('idempotent responses at rest', () => {
  it('keeps no one-time secret or raw Idempotency-Key in the database, yet replays the identical first response', async () => {
    const tenantKey = 'idem-at-rest-tenant-7f3a9c';
    const tenantBody = { name: 'Vault', slug: 'vault', admin: { email: 'admin@vault.test', name: 'Admin' } };
    const created = await call('POST', '/v1/tenants', { body: tenantBody, headers: { 'Idempotency-Key': tenantKey } });
    expect(created.status, created.text).toBe(201);
    const { tenant, adminKey } = TenantCreateResponse.parse(created.json);
    expect(adminKey?.secret).toBeTruthy();

    const extensionKey = 'idem-at-rest-extension-2b81d0';
    const extensionBody = { number: '101', displayName: 'Front desk' };
    const extPath = `/v1/tenants/${tenant.id}/extensions`;
    const extension = await call('POST', extPath, { key: adminKey!.secret, body: extensionBody, headers: { 'Idempotency-Key': extensionKey } });
    expect(extension.status, extension.text).toBe(201);
    const { sipPassword } = ExtensionWithPassword.parse(extension.json);

    const tokenKey = 'idem-at-rest-token-c40e57';
    const tokenPath = `/v1/tenants/${tenant.id}/softphone-tokens`;
    const issued = await call('POST', tokenPath, { key: adminKey!.secret, body: { extension: '101' }, headers: { 'Idempotency-Key': tokenKey } });
    expect(issued.status, issued.text).toBe(201);
    const { token } = SoftphoneToken.parse(issued.json);

    const dump = await allStoredText(testPlatform!);
    expect(dump.length).toBeGreaterThan(0);
    for (const secret of [adminKey!.secret, sipPassword, token, tenantKey, extensionKey, tokenKey]) {
      expect(dump.filter((value) => value.includes(secret!)), `${secret} is in the database`).toEqual([]);
    }

    // An honest retry (same key, same bytes) still gets exactly the first answer, secrets included.
    const again = await call('POST', '/v1/tenants', { body: tenantBody, headers: { 'Idempotency-Key': tenantKey } });
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.text).toBe(created.text);
    const extAgain = await call('POST', extPath, { key: adminKey!.secret, body: extensionBody, headers: { 'Idempotency-Key': extensionKey } });
    expect(extAgain.headers.get('Idempotent-Replayed')).toBe('true');
    expect(ExtensionWithPassword.parse(extAgain.json).sipPassword).toBe(sipPassword);
    const tokenAgain = await call('POST', tokenPath, { key: adminKey!.secret, body: { extension: '101' }, headers: { 'Idempotency-Key': tokenKey } });
    expect(tokenAgain.headers.get('Idempotent-Replayed')).toBe('true');
    expect(SoftphoneToken.parse(tokenAgain.json).token).toBe(token);
  });

  it('still refuses the same key with a different body', async () => {
    const headers = { 'Idempotency-Key': 'idem-at-rest-reused' };
    expect((await call('POST', '/v1/tenants', { body: { name: 'Once', slug: 'once' }, headers })).status).toBe(201);
    expectError(await call('POST', '/v1/tenants', { body: { name: 'Once', slug: 'once-other' }, headers }), 422, 'idempotency_key_reused');
  });
});

describe('hostile bodies', () => {
  it('answers a deeply nested array sent with an Idempotency-Key with 400 validation_error, not 500', async () => {
    const depth = 150_000; // ~300 KB, under the body limit
    const raw = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const result = await call('POST', '/v1/tenants', { raw, headers: { 'Idempotency-Key': 'deeply-nested-body' } });
    expectError(result, 400, 'validation_error');
    // The same bytes nested inside a field are refused the same way.
    const inField = await call('POST', '/v1/tenants', { raw: `{"name":${raw},"slug":"deep"}`, headers: { 'Idempotency-Key': 'deeply-nested-field' } });
    const error = expectError(inField, 400, 'validation_error');
    expect(error.details?.map((d) => d.field)).toContain('name');
  });

  it('answers malformed JSON with 400 validation_error naming the body', async () => {
    const error = expectError(await call('POST', '/v1/tenants', { raw: '{"name": "Acme", ' }), 400, 'validation_error');
    expect(error.details).toEqual([{ field: 'body', issue: expect.stringMatching(/^malformed JSON: /) }]);
  });

  it('refuses a chunked body over 1 MB with 413 payload_too_large before the client has finished sending', async () => {
    const url = new URL('/v1/tenants', platform.url);
    const outcome = await new Promise<{ status: number; body: string; sentBytes: number; finishedSending: boolean }>((resolve, reject) => {
      let sentBytes = 0;
      let finishedSending = false;
      const req = request(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${bootstrapKey}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sentBytes, finishedSending });
          req.destroy();
        });
      });
      req.on('error', reject);
      // 64 KiB at a time up to 1.5 MB, then hold the request open: a server that buffers the whole
      // body before checking its size would never answer.
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        if (req.destroyed) return;
        if (sentBytes >= 1_500_000) return;
        sentBytes += chunk.length;
        if (req.write(chunk)) setImmediate(pump);
        else req.once('drain', pump);
      };
      req.write('{"name":"');
      pump();
      setTimeout(() => {
        finishedSending = true;
        req.end();
      }, 5_000).unref();
    });
    expect(outcome.finishedSending, 'answered before the request ended').toBe(false);
    expect(outcome.status).toBe(413);
    expect(ErrorBody.parse(JSON.parse(outcome.body)).error.code).toBe('payload_too_large');
  });
});

describe('idempotency retention', () => {
  it('purges records older than 24 h when the platform starts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'highrise-purge-'));
    const key = 'hr_test_bootstrap_purge_0001';
    const post = (p: Platform, slug: string, idem: string) =>
      fetch(`${p.url}/v1/tenants`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Idempotency-Key': idem },
        body: JSON.stringify({ name: slug, slug }),
      });
    const count = () => {
      const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM idempotency_records').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    try {
      const first = await startPlatform({ port: 0, dataDir: dir, bootstrapKey: key });
      expect((await post(first, 'aged', 'aged-key')).status).toBe(201);
      expect((await post(first, 'fresh', 'fresh-key')).status).toBe(201);
      await first.close();
      expect(count()).toBe(2);
      // Age one record past the retention, as if the platform had been down for a day.
      const db = new Database(join(dir, DATABASE_FILE));
      db.prepare("UPDATE idempotency_records SET created_at = ? WHERE rowid = (SELECT min(rowid) FROM idempotency_records)").run(
        new Date(Date.now() - 25 * 60 * 60 * 1000).toISOString(),
      );
      db.close();

      const second = await startPlatform({ port: 0, dataDir: dir, bootstrapKey: key });
      try {
        expect(count()).toBe(1);
        // The fresh record still replays.
        const replay = await post(second, 'fresh', 'fresh-key');
        expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
