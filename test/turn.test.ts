/**
 * TURN for phones behind symmetric NAT (issue 10): a platform started with a TURN secret and URLs
 * puts a coturn REST credential into every softphone token, expiring with the token, and the real
 * coturn (Debian's `turnserver`, on loopback, `use-auth-secret` with the same secret) grants a TURN
 * Allocate with it (`turnutils_uclient`, coturn's own client) and refuses a wrong or expired one.
 * Without the option, tokens carry no TURN entry.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { freePort } from './support/kamailio';

const TURNSERVER = '/usr/bin/turnserver';
const UCLIENT = '/usr/bin/turnutils_uclient';
const SECRET = 'turn-test-secret-0123456789abcdef';

/** One TURN Allocate (and a few relayed packets) with long-term credentials: coturn's exit status. */
function allocate(port: number, username: string, password: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(UCLIENT, ['-y', '-n', '1', '-m', '1', '-u', username, '-w', password, '-p', String(port), '127.0.0.1'], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

const restPassword = (secret: string, username: string) => createHmac('sha1', secret).update(username).digest('base64');

describe('TURN credentials in softphone tokens, checked by coturn', () => {
  let turn: ChildProcess | undefined;
  let turnLog = '';
  let turnPort: number;
  const dir = mkdtempSync(join(tmpdir(), 'highrise-turn-'));
  let withTurn: TestPlatform;
  let without: TestPlatform;

  beforeAll(async () => {
    if (!existsSync(TURNSERVER) || !existsSync(UCLIENT)) throw new Error('coturn is missing: apt-get install coturn');
    turnPort = await freePort();
    turn = spawn(
      TURNSERVER,
      ['-n', '--listening-ip=127.0.0.1', `--listening-port=${turnPort}`, '--relay-ip=127.0.0.1', '--use-auth-secret', `--static-auth-secret=${SECRET}`, '--realm=highrise.test', '--no-cli', '--no-tls', '--no-dtls', '--allow-loopback-peers', '--log-file=stdout', `--pidfile=${join(dir, 'turn.pid')}`, `--userdb=${join(dir, 'turndb')}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    turn.stdout?.on('data', (c: Buffer) => (turnLog += c.toString()));
    turn.stderr?.on('data', (c: Buffer) => (turnLog += c.toString()));
    const started = Date.now();
    while (!(await new Promise<boolean>((r) => connect(turnPort, '127.0.0.1').once('connect', function (this: import('node:net').Socket) { this.destroy(); r(true); }).once('error', () => r(false))))) {
      if (Date.now() - started > 15_000) throw new Error(`turnserver did not listen:\n${turnLog}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    withTurn = await startTestPlatform('turn', {
      iceServers: [{ urls: 'stun:stun.example.com:3478' }],
      turn: { secret: SECRET, urls: [`turn:127.0.0.1:${turnPort}?transport=udp`, `turn:127.0.0.1:${turnPort}?transport=tcp`] },
    });
    without = await startTestPlatform('turn-off');
  }, 60_000);

  afterAll(async () => {
    await withTurn?.close();
    await without?.close();
    if (turn?.pid !== undefined && turn.exitCode === null) {
      const exited = new Promise((r) => turn!.once('exit', r));
      turn.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function tokenFrom(tp: TestPlatform, ttlSeconds: number) {
    const { created } = await tp.createTenant(`turn-${Math.random().toString(36).slice(2, 8)}`, 'TURN');
    const api = tp.provider.tenant(created.tenant.id);
    await api.extensions.create({ number: '101', displayName: 'Reception', sipPassword: 'pw-turn-101-secret' });
    return { tenantId: created.tenant.id, token: await api.softphoneTokens.create({ extension: '101', ttlSeconds }) };
  }

  it('hands out a TURN credential that expires with the token, and coturn grants an allocation with it', async () => {
    const { tenantId, token } = await tokenFrom(withTurn, 900);
    const expiry = Math.floor(new Date(token.expiresAt).getTime() / 1000);
    expect(token.iceServers).toEqual([
      { urls: 'stun:stun.example.com:3478' },
      { urls: [`turn:127.0.0.1:${turnPort}?transport=udp`, `turn:127.0.0.1:${turnPort}?transport=tcp`], username: `${expiry}:101.${tenantId}`, credential: expect.any(String) },
    ]);
    const { username, credential } = token.iceServers[1]!;
    const granted = await allocate(turnPort, username!, credential!);
    expect(granted.ok, `${granted.output}\n--- turnserver ---\n${turnLog.slice(-3000)}`).toBe(true);
  });

  it('coturn refuses the credential with a wrong password, and one whose expiry has passed', async () => {
    const { token } = await tokenFrom(withTurn, 900);
    const { username, credential } = token.iceServers[1]!;
    const wrong = await allocate(turnPort, username!, `${credential!.slice(0, -4)}AAA=`);
    expect(wrong.ok).toBe(false);
    expect(wrong.output).toContain('Cannot complete Allocation');
    // The same subject and secret, an expiry a minute ago: what the token's credential becomes after it expires.
    const expired = `${Math.floor(Date.now() / 1000) - 60}:${username!.split(':')[1]}`;
    const late = await allocate(turnPort, expired, restPassword(SECRET, expired));
    expect(late.ok).toBe(false);
    expect(late.output).toContain('Cannot complete Allocation');
  });

  it('describes the TURN credential in the OpenAPI document, as the response schema the SDK parses', async () => {
    const doc = (await (await fetch(`${withTurn.platform.url}/openapi.json`)).json()) as { components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> } };
    const ice = doc.components.schemas.IceServer!;
    expect(Object.keys(ice.properties).sort()).toEqual(['credential', 'urls', 'username']);
    expect(ice.properties.username!.description).toContain('<expiry, unix seconds>:<subject>');
    expect(ice.properties.credential!.description).toContain('HMAC-SHA1');
    expect(doc.components.schemas.SoftphoneToken!.properties.iceServers!.description).toContain('expires with the token');
  });

  it('gives no TURN server to tokens of a platform started without one', async () => {
    const { token } = await tokenFrom(without, 600);
    expect(token.iceServers).toEqual([]);
  });
});
