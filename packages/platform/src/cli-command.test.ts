import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from './cli-command';

describe('highrise start arguments', () => {
  it('reads every flag', () => {
    expect(parseCommand(['start', '--port', '0', '--data-dir', '/tmp/x', '--bootstrap-key', 'k3y-k3y-k3y', '--sip-domain', 'sip.example.com', '--host', '0.0.0.0'], {})).toEqual({
      port: 0,
      dataDir: '/tmp/x',
      bootstrapKey: 'k3y-k3y-k3y',
      sipDomain: 'sip.example.com',
      host: '0.0.0.0',
      databaseUrl: undefined,
      allowPrivateWebhooks: false,
      audit: {},
      portingCarrier: undefined,
    });
  });

  it('allows private webhook destinations only when asked, by flag or by environment', () => {
    expect(parseCommand(['start'], {}).allowPrivateWebhooks).toBe(false);
    expect(parseCommand(['start', '--allow-private-webhooks'], {}).allowPrivateWebhooks).toBe(true);
    expect(parseCommand(['start'], { HIGHRISE_ALLOW_PRIVATE_WEBHOOKS: '1' }).allowPrivateWebhooks).toBe(true);
    expect(parseCommand(['start'], { HIGHRISE_ALLOW_PRIVATE_WEBHOOKS: 'false' }).allowPrivateWebhooks).toBe(false);
    expect(() => parseCommand(['start'], { HIGHRISE_ALLOW_PRIVATE_WEBHOOKS: 'yes please' })).toThrow(UsageError);
  });

  it('takes the audit key file from the flag, else the key or its file from the environment', () => {
    expect(parseCommand(['start', '--audit-key-file', '/etc/highrise/audit.key'], { HIGHRISE_AUDIT_KEY: 'x'.repeat(32) }).audit).toEqual({ keyFile: '/etc/highrise/audit.key' });
    expect(parseCommand(['start'], { HIGHRISE_AUDIT_KEY: 'x'.repeat(32), HIGHRISE_AUDIT_KEY_FILE: '/run/secrets/audit' }).audit).toEqual({ key: 'x'.repeat(32) });
    expect(parseCommand(['start'], { HIGHRISE_AUDIT_KEY_FILE: '/run/secrets/audit' }).audit).toEqual({ keyFile: '/run/secrets/audit' });
  });

  it('takes a PostgreSQL URL by flag or by environment, and refuses anything else without echoing a password', () => {
    expect(parseCommand(['start', '--database-url', 'postgres://127.0.0.1/test'], {}).databaseUrl).toBe('postgres://127.0.0.1/test');
    expect(parseCommand(['start'], { HIGHRISE_DATABASE_URL: 'postgresql://u@db/hr' }).databaseUrl).toBe('postgresql://u@db/hr');
    expect(parseCommand(['start', '--database-url', 'postgres://a/x'], { HIGHRISE_DATABASE_URL: 'postgres://b/y' }).databaseUrl).toBe('postgres://a/x');
    expect(parseCommand(['start'], { HIGHRISE_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    expect(() => parseCommand(['start', '--database-url', 'mysql://root:hunter2@db/x'], {})).toThrow(UsageError);
    expect(() => parseCommand(['start', '--database-url', 'mysql://root:hunter2@db/x'], {})).not.toThrow(/hunter2/);
  });

  it('falls back to the environment twins, then defaults', () => {
    const env = { HIGHRISE_PORT: '9090', HIGHRISE_DATA_DIR: '/srv/hr', HIGHRISE_BOOTSTRAP_KEY: 'from-env-key', HIGHRISE_SIP_DOMAIN: 'sip.env.test', HIGHRISE_HOST: '::1' };
    expect(parseCommand(['start'], env)).toEqual({ port: 9090, dataDir: '/srv/hr', bootstrapKey: 'from-env-key', sipDomain: 'sip.env.test', host: '::1', databaseUrl: undefined, allowPrivateWebhooks: false, audit: {}, portingCarrier: undefined });
    expect(parseCommand(['start', '--port', '7000'], env).port).toBe(7000);
    expect(parseCommand(['start'], {})).toEqual({ port: 8080, dataDir: '.highrise', bootstrapKey: undefined, sipDomain: undefined, host: '127.0.0.1', databaseUrl: undefined, allowPrivateWebhooks: false, audit: {}, portingCarrier: undefined });
  });

  it('sends phones to Kamailio with --kamailio-ws-url (repeatable) or HIGHRISE_KAMAILIO_WS_URL, on PostgreSQL only', () => {
    const db = ['--database-url', 'postgres://u@db/highrise'];
    expect(parseCommand(['start', ...db], {}).kamailioWsUrls).toBeUndefined();
    expect(parseCommand(['start', ...db, '--kamailio-ws-url', 'wss://sip1.example.com/', '--kamailio-ws-url', 'wss://sip2.example.com/'], {}).kamailioWsUrls).toEqual(['wss://sip1.example.com/', 'wss://sip2.example.com/']);
    expect(parseCommand(['start', ...db], { HIGHRISE_KAMAILIO_WS_URL: 'ws://127.0.0.1:5065/, ws://127.0.0.2:5065/' }).kamailioWsUrls).toEqual(['ws://127.0.0.1:5065/', 'ws://127.0.0.2:5065/']);
    expect(() => parseCommand(['start', ...db, '--kamailio-ws-url', 'http://sip.example.com/'], {})).toThrow(/ws:\/\/ or wss:\/\/ URLs, not "http:/);
    expect(() => parseCommand(['start', '--kamailio-ws-url', 'wss://sip1.example.com/'], {})).toThrow(/needs --database-url/);
  });

  it('turns TURN on only with both URLs and a secret, the secret from a file or the environment, never a flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'highrise-turn-flag-'));
    const file = join(dir, 'secret');
    writeFileSync(file, 'file-secret-0123456789abcdef\n');
    const url = 'turn:turn.example.com:3478?transport=udp';
    expect(parseCommand(['start'], {}).turn).toBeUndefined();
    expect(parseCommand(['start', '--turn-url', `${url},turns:turn.example.com:5349`, '--turn-secret-file', file], {}).turn).toEqual({ secret: 'file-secret-0123456789abcdef', urls: [url, 'turns:turn.example.com:5349'] });
    expect(parseCommand(['start'], { HIGHRISE_TURN_URLS: url, HIGHRISE_TURN_SECRET: 'env-secret-0123456789abcdef' }).turn).toEqual({ secret: 'env-secret-0123456789abcdef', urls: [url] });
    expect(() => parseCommand(['start', '--turn-url', url], {})).toThrow(/needs the TURN secret/);
    expect(() => parseCommand(['start'], { HIGHRISE_TURN_SECRET: 'env-secret-0123456789abcdef' })).toThrow(/without --turn-url/);
    expect(() => parseCommand(['start', '--turn-url', 'http://turn.example.com'], { HIGHRISE_TURN_SECRET: 'env-secret-0123456789abcdef' })).toThrow(/turn:HOST/);
    expect(() => parseCommand(['start', '--turn-url', url], { HIGHRISE_TURN_SECRET: 'short' })).toThrow(/at least 16/);
    expect(() => parseCommand(['start', '--turn-secret', 'x'], {})).toThrow(UsageError);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the simulated porting carrier only when asked, by flag or by environment', () => {
    expect(parseCommand(['start'], {}).portingCarrier).toBeUndefined();
    expect(parseCommand(['start', '--porting-carrier', 'simulated'], {}).portingCarrier).toBe('simulated');
    expect(parseCommand(['start'], { HIGHRISE_PORTING_CARRIER: 'simulated' }).portingCarrier).toBe('simulated');
    expect(parseCommand(['start', '--porting-carrier', 'none'], { HIGHRISE_PORTING_CARRIER: 'simulated' }).portingCarrier).toBeUndefined();
    expect(() => parseCommand(['start', '--porting-carrier', 'telco'], {})).toThrow(/must be "simulated" or "none"/);
  });

  it.each([
    [['start', '--prot', '1']],
    [['start', '--port', 'eighty']],
    [['start', '--port', '70000']],
    [['start', '--port']],
    [['serve']],
    [[]],
  ])('refuses %j with a usage error', (argv) => {
    expect(() => parseCommand(argv, {})).toThrow(UsageError);
  });
});
