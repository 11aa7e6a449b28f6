import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKamailioConfigCommand } from '../cli-kamailio';
import { UsageError } from '../cli-command';
import { kamailioDatabaseUrl, KamailioConfigError, readTemplate, renderDispatcherList, renderKamailioConfig, type KamailioConfigValues } from './render';

const values: KamailioConfigValues = {
  databaseUrl: 'postgresql://edge:s3cret@db.internal:5433/highrise',
  platformUrls: ['http://platform-a.internal:8080/', 'https://10.0.0.2'],
  dispatcherListPath: '/tmp/highrise-kamailio/dispatcher.list',
  listen: { host: '127.0.0.1', port: 5066 },
  runDir: '/tmp/highrise-kamailio-run',
  secrets: { nonce: 'n'.repeat(43), edge: 'e'.repeat(43), ephemeral: 'x'.repeat(43) },
};

describe('kamailio config rendering', () => {
  it('fills every placeholder of the template, with the URLs in the form Kamailio reads', () => {
    const text = renderKamailioConfig(readTemplate(), values);
    expect(text).not.toMatch(/\{\{[A-Z_]+\}\}/);
    expect(text).toContain('listen=tcp:127.0.0.1:5066');
    expect(text).toContain('#!define DBURL "postgres://edge:s3cret@db.internal:5433/highrise"');
    expect(text).toContain('#!define PLATFORM_ROUTE_PATH "/internal/sip/route"');
    // One named connection per node, numbered as in dispatcher.list, with the edge secret as Basic.
    // Call records go to the outbox table, not over HTTP.
    expect(text).not.toContain('PLATFORM_CALL_RECORD_PATH');
    // Kept alive: set before the connections, which take the module defaults in force where they are defined.
    expect(text.indexOf('modparam("http_client", "keep_connections", 1)')).toBeGreaterThan(-1);
    expect(text.indexOf('modparam("http_client", "keep_connections", 1)')).toBeLessThan(text.indexOf('"platform_1=>'));
    expect(text).toContain(`modparam("http_client", "httpcon", "platform_1=>http://kamailio:${'e'.repeat(43)}@platform-a.internal:8080")`);
    expect(text).toContain(`modparam("http_client", "httpcon", "platform_2=>https://kamailio:${'e'.repeat(43)}@10.0.0.2")`);
    expect(text).toContain('modparam("dispatcher", "list_file", "/tmp/highrise-kamailio/dispatcher.list")');
    expect(text).toContain('modparam("auth_ephemeral", "secret", "' + 'x'.repeat(43) + '")');
    // The tenant and its limits come with the caller's credentials (migration 0021): no query of their own.
    expect(text).toContain('modparam("auth_db", "load_credentials", "kind;tenant_id;channels;messages_per_minute;owner_id;row_version")');
    expect(text).not.toContain('FROM domain_attrs');
  });

  it('refuses what would break out of a quoted cfg string or that Kamailio cannot read', () => {
    expect(() => kamailioDatabaseUrl('mysql://root@db/highrise')).toThrow(KamailioConfigError);
    expect(() => kamailioDatabaseUrl('postgres://u@db/highrise?sslmode=require')).toThrow(KamailioConfigError);
    expect(() => kamailioDatabaseUrl('postgres://u:a%22b@db/highrise')).toThrow(/quotes/);
    expect(() => renderKamailioConfig(readTemplate(), { ...values, runDir: '/tmp/a"\nloadmodule "evil.so' })).toThrow(KamailioConfigError);
    // A URL's own parser percent-encodes what could end the string.
    expect(renderKamailioConfig(readTemplate(), { ...values, platformUrls: ['http://x/"\nloadmodule "evil.so'] })).not.toContain('evil');
    expect(() => renderKamailioConfig(readTemplate(), { ...values, platformUrls: [] })).toThrow(/at least one/);
    expect(() => renderKamailioConfig(readTemplate(), { ...values, platformUrls: ['http://a:1', 'http://a:1/x'] })).toThrow(/different node/);
    expect(() => renderKamailioConfig(readTemplate(), { ...values, platformUrls: ['http://user:pw@a:1'] })).toThrow(/no credentials/);
    expect(() => renderKamailioConfig(readTemplate(), { ...values, platformUrls: ['ftp://a'] })).toThrow(KamailioConfigError);
    expect(() => renderKamailioConfig(readTemplate(), { ...values, secrets: { ...values.secrets, edge: 'short' } })).toThrow(KamailioConfigError);
    expect(() => renderKamailioConfig('{{NOT_A_VALUE}}', values)).toThrow(/unknown value/);
  });

  it('keeps every answered call alive with dialog keepalives: 30 s and 2 failures unless told, never under the module\'s 30 s', () => {
    const text = renderKamailioConfig(readTemplate(), values);
    expect(text).toContain('modparam("dialog", "ka_interval", 30)');
    expect(text).toContain('modparam("dialog", "ka_failed_limit", 2)');
    expect(text).toContain('modparam("dialog", "send_bye", 1)');
    const short = renderKamailioConfig(readTemplate(), { ...values, dialogKeepaliveSeconds: 45, dialogKeepaliveFailures: 1 });
    expect(short).toContain('modparam("dialog", "ka_interval", 45)');
    expect(short).toContain('modparam("dialog", "ka_failed_limit", 1)');
    // Kamailio 5.6 refuses to start under 30 s.
    expect(() => renderKamailioConfig(readTemplate(), { ...values, dialogKeepaliveSeconds: 2 })).toThrow(/30 to 3600/);
    expect(() => renderKamailioConfig(readTemplate(), { ...values, dialogKeepaliveFailures: 0 })).toThrow(/1 to 10/);
  });

  it('lists the platform nodes for dispatcher in the order given, each named by its number', () => {
    expect(renderDispatcherList(['http://platform-a.internal:8080/', 'https://10.0.0.2', 'http://[::1]:9000']).split('\n').filter((l) => !l.startsWith('#') && l)).toEqual([
      '1 sip:platform-a.internal:8080 0 0 node=1',
      '1 sip:10.0.0.2:443 0 0 node=2',
      '1 sip:[::1]:9000 0 0 node=3',
    ]);
  });

  it.runIf(existsSync('/usr/sbin/kamailio'))('renders a configuration Kamailio itself accepts (kamailio -c)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'highrise-kamcfg-'));
    try {
      const path = join(dir, 'kamailio.cfg');
      const dispatcherListPath = join(dir, 'dispatcher.list');
      // Dispatcher resolves its destinations at start: addresses here (names resolve in a deployment).
      const platformUrls = ['http://127.0.0.1:8080', 'http://127.0.0.2:8080'];
      writeFileSync(dispatcherListPath, renderDispatcherList(platformUrls));
      writeFileSync(path, renderKamailioConfig(readTemplate(), { ...values, platformUrls, dispatcherListPath, runDir: dir }));
      const check = spawnSync('/usr/sbin/kamailio', ['-c', '-f', path], { encoding: 'utf8', timeout: 30_000 });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('highrise kamailio-config arguments', () => {
  const argv = ['--database-url', 'postgres://postgres@127.0.0.1/highrise', '--platform-url', 'http://127.0.0.1:8080', '--listen', '127.0.0.1:5066', '--out', 'edge'];

  it('reads the flags, with HIGHRISE_DATABASE_URL and HIGHRISE_SIP_DOMAIN as twins', () => {
    const command = parseKamailioConfigCommand(argv, {});
    expect(command).toMatchObject({ listen: { host: '127.0.0.1', port: 5066 }, sipDomain: 'sip.localhost', debug: undefined });
    expect(parseKamailioConfigCommand([...argv, '--children', '2', '--pike-density', '5000'], {})).toMatchObject({ children: 2, pikeDensity: 5000 });
    expect(parseKamailioConfigCommand([...argv, '--dialog-keepalive', '60', '--dialog-keepalive-failures', '1'], {})).toMatchObject({ dialogKeepaliveSeconds: 60, dialogKeepaliveFailures: 1 });
    expect(parseKamailioConfigCommand(argv.slice(2), { HIGHRISE_DATABASE_URL: 'postgres://x@y/z', HIGHRISE_SIP_DOMAIN: 'SIP.Example.com' })).toMatchObject({ databaseUrl: 'postgres://x@y/z', sipDomain: 'sip.example.com' });
  });

  it('says what is missing or malformed, as a usage error', () => {
    expect(() => parseKamailioConfigCommand(argv.slice(2), {})).toThrow(/--database-url is required/);
    expect(() => parseKamailioConfigCommand([...argv.slice(0, 4), '--listen', '127.0.0.1', '--out', 'x'], {})).toThrow(UsageError);
    expect(() => parseKamailioConfigCommand([...argv, '--listen', 'host:99999'], {})).toThrow(/HOST:PORT/);
    expect(() => parseKamailioConfigCommand([...argv, '--sip-domain', 'bad domain'], {})).toThrow(/not a domain name/);
    expect(() => parseKamailioConfigCommand([...argv, '--bogus'], {})).toThrow(UsageError);
    expect(() => parseKamailioConfigCommand([...argv, '--children', '0'], {})).toThrow(/--children is a whole number/);
    expect(() => parseKamailioConfigCommand([...argv, '--pike-density', 'lots'], {})).toThrow(/--pike-density is a whole number/);
    expect(() => parseKamailioConfigCommand([...argv, '--dialog-keepalive', '10'], {})).toThrow(/at least 30/);
    expect(() => parseKamailioConfigCommand([...argv, '--dialog-keepalive-failures', '11'], {})).toThrow(/--dialog-keepalive-failures is a whole number/);
  });

  it("answers 503 by default when the routing endpoint is unreachable, and renders Kamailio's own database URL when given", () => {
    expect(parseKamailioConfigCommand(argv, {})).toMatchObject({ routingFallback: 'reject', kamailioDatabaseUrl: 'postgres://postgres@127.0.0.1/highrise' });
    expect(parseKamailioConfigCommand([...argv, '--routing-fallback', 'location', '--kamailio-database-url', 'postgres://kamailio@db/highrise'], {})).toMatchObject({ routingFallback: 'location', kamailioDatabaseUrl: 'postgres://kamailio@db/highrise' });
    expect(() => parseKamailioConfigCommand([...argv, '--routing-fallback', 'anything'], {})).toThrow(/reject or location/);
    expect(() => parseKamailioConfigCommand([...argv, '--kamailio-database-url', 'mysql://kamailio@db/x'], {})).toThrow(UsageError);
  });
});
