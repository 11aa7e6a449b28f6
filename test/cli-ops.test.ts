/**
 * The operator commands of `highrise` as an operator runs them: the real binary (bin/highrise.js,
 * what npm links) in a child process, against the real platform on a free port, checked through
 * the SDK for what the platform then holds.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, type Highrise } from '@highrise/sdk';
import { expectApiError as failure, startTestPlatform, type TestPlatform } from './support/platform';

// Every test runs node child processes; on a busy machine each takes seconds to start.
const SLOW = { timeout: 180_000 };

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/platform/bin/highrise.js');

let testPlatform: TestPlatform;
let provider: Highrise;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `highrise …` with the platform and key in the environment, as an operator's shell would hold them. */
function highrise(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: root, timeout: 120_000, env: { PATH: process.env.PATH, HIGHRISE_BASE_URL: testPlatform.platform.url, HIGHRISE_API_KEY: testPlatform.bootstrapKey, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const json = <T>(run: Run): T => {
  expect(run.stderr === '' || !run.stderr.includes('highrise:'), run.stderr).toBe(true);
  return JSON.parse(run.stdout) as T;
};

beforeAll(async () => {
  testPlatform = await startTestPlatform('cli-ops');
  provider = testPlatform.provider;
  dir = await mkdtemp(join(tmpdir(), 'highrise-cli-ops-'));
});

afterAll(async () => {
  await testPlatform?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('highrise tenants', SLOW, () => {
  it('creates, lists, suspends and resumes a tenant, by id or slug, with --json', async () => {
    const created = json<{ tenant: { id: string; slug: string; limits: { extensions: number } }; adminKey: { secret: string } }>(
      await highrise(['tenants', 'create', '--name', 'Acme Dental', '--slug', 'acme-dental', '--admin-email', 'office@acme-dental.test', '--max-extensions', '250', '--json']),
    );
    expect(created.tenant.limits.extensions).toBe(250);
    const admin = testPlatform.client(created.adminKey.secret);
    expect((await admin.tenant(created.tenant.id).retrieve()).slug).toBe('acme-dental');

    const listed = json<{ id: string; slug: string }[]>(await highrise(['tenants', 'list', '--json']));
    expect(listed.map((t) => t.slug)).toContain('acme-dental');
    const table = await highrise(['tenants', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+SLUG\s+NAME\s+STATUS\s+SIP DOMAIN$/m);
    expect(table.stdout).toMatch(new RegExp(`^${created.tenant.id}\\s+acme-dental\\s+Acme Dental\\s+active\\s`, 'm'));

    const suspended = await highrise(['tenants', 'suspend', 'acme-dental']);
    expect(suspended).toMatchObject({ code: 0, stdout: `acme-dental (${created.tenant.id}) is suspended\n` });
    expect((await provider.tenants.retrieve(created.tenant.id)).status).toBe('suspended');
    expect((await failure(admin.tenant(created.tenant.id).retrieve())).code).toBe('tenant_suspended');
    expect(json<{ status: string }>(await highrise(['tenants', 'resume', created.tenant.id, '--json'])).status).toBe('active');
    expect((await admin.tenant(created.tenant.id).retrieve()).status).toBe('active');
  });

  it('exits 1 with the platform\'s code, each field and the request id when the platform refuses', async () => {
    const run = await highrise(['tenants', 'create', '--name', 'Bad', '--slug', 'Not A Slug']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^highrise: validation_error \(HTTP 400\): /);
    expect(run.stderr).toMatch(/^ {2}slug: /m);
    expect(run.stderr).toMatch(/request id: req_/);
    const asJson = await highrise(['tenants', 'suspend', 'ten_01JD8X3E5Q7R2T4V6W8Y0Z1A2B', '--json']);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { status: 404, code: 'not_found' } });
  });
});

describe('highrise extensions import', SLOW, () => {
  it('imports every good row and reports each bad one by its line, exiting 1, with plain progress in a pipe', async () => {
    const tenant = await provider.tenants.create({ name: 'Import', slug: 'import-co' });
    await provider.tenant(tenant.tenant.id).extensions.create({ number: '105', displayName: 'Already here' });
    const csv = join(dir, 'import.csv');
    await writeFile(
      csv,
      [
        'number,displayName,sipPassword',
        '101,Front desk,front-desk-password-1',
        '102,"Back, office",',
        '0123,Bad number,',
        '102,Duplicate of 102,',
        '103,"Quoted ""name""",a,extra',
        '104,Good',
        '105,Taken',
        '106,',
        '',
      ].join('\r\n'),
    );
    const passwords = join(dir, 'passwords.csv');
    const run = await highrise(['extensions', 'import', csv, '--tenant', 'import-co', '--passwords-out', passwords]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        'imported 3 of 8 rows; 5 failed:',
        '  row 4 (0123): number: must be 2 to 6 digits, not starting with 0',
        '  row 5 (102): number: same number as row 3',
        '  row 6: has 4 fields; the header has 3',
        '  row 8 (105): number: already taken in this tenant',
        '  row 9 (106): displayName: Too small: expected string to have >=1 characters',
        '',
      ].join('\n'),
    );
    // Not a terminal: one plain line per batch, no carriage returns.
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/^8\/8 rows$/m);

    const held = await provider.tenant(tenant.tenant.id).extensions.list({ limit: 100 }).toArray();
    expect(held.map((e) => e.number).sort()).toEqual(['101', '102', '104', '105']);
    const file = (await readFile(passwords, 'utf8')).trim().split('\n');
    expect(file[0]).toBe('number,id,sipPassword');
    expect(file.slice(1).map((l) => l.split(',')[0]).sort()).toEqual(['101', '102', '104']);
    expect(file).toContain(`101,${held.find((e) => e.number === '101')!.id},"front-desk-password-1"`);
    expect((await stat(passwords)).mode & 0o777).toBe(0o600);
  });

  it('prints the created extensions with their passwords and the row errors as JSON', async () => {
    const tenant = await provider.tenants.create({ name: 'Import JSON', slug: 'import-json' });
    const csv = join(dir, 'import-json.csv');
    await writeFile(csv, 'Number,Display Name\n201,One\n202,Two\n2x3,Three\n');
    const run = await highrise(['extensions', 'import', csv, '--tenant', tenant.tenant.id, '--json']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { total: number; created: { number: string; sipPassword: string }[]; errors: { row: number; field: string }[] };
    expect(result.total).toBe(3);
    expect(result.created.map((e) => e.number)).toEqual(['201', '202']);
    expect(result.created[0]!.sipPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(result.errors).toEqual([{ row: 4, number: '2x3', field: 'number', issue: 'must be 2 to 6 digits, not starting with 0' }]);
  });

  it('draws a progress bar on a terminal', async () => {
    const tenant = await provider.tenants.create({ name: 'Import TTY', slug: 'import-tty', limits: { extensions: 2000 } });
    const csv = join(dir, 'import-tty.csv');
    await writeFile(csv, ['number,displayName', ...Array.from({ length: 1200 }, (_, i) => `${1000 + i},Desk ${i}`)].join('\n'));
    // script(1) runs the command on a pseudo-terminal, as an operator's shell would.
    const command = [process.execPath, bin, 'extensions', 'import', csv, '--tenant', 'import-tty'].map((a) => `'${a}'`).join(' ');
    const run = await new Promise<Run>((resolve) =>
      execFile('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, HIGHRISE_BASE_URL: testPlatform.platform.url, HIGHRISE_API_KEY: testPlatform.bootstrapKey } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\r\[-{10,}\] 0\/1200 rows/);
    expect(run.stdout).toMatch(/\r\[#+-+\] 500\/1200 rows/);
    expect(run.stdout).toMatch(/\r\[#{10,}\] 1200\/1200 rows\r?\n/);
    expect(run.stdout).toContain('imported 1200 of 1200 rows');
    expect(await provider.tenant(tenant.tenant.id).extensions.list({ limit: 100 }).toArray()).toHaveLength(1200);
  });

  it('stops at a batch the tenant\'s limit refuses, reporting the rows not imported', async () => {
    const tenant = await provider.tenants.create({ name: 'Import limit', slug: 'import-limit', limits: { extensions: 3 } });
    const csv = join(dir, 'import-limit.csv');
    await writeFile(csv, ['number,displayName', ...Array.from({ length: 5 }, (_, i) => `${300 + i},Desk ${i}`)].join('\n'));
    const run = await highrise(['extensions', 'import', csv, '--tenant', tenant.tenant.id, '--batch-size', '2']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('imported 2 of 5 rows; 3 failed:');
    expect(run.stdout).toMatch(/^ {2}row 4 \(302\): not imported \(limit_exceeded: /m);
    expect(run.stdout).toMatch(/^ {2}row 6 \(304\): not imported/m);
  });
});

describe('highrise keys', SLOW, () => {
  it('creates a tenant key and rotates it; the old secret stops at once with --grace-seconds 0', async () => {
    const tenant = await provider.tenants.create({ name: 'Keys', slug: 'keys-co' });
    const key = json<{ id: string; secret: string }>(await highrise(['keys', 'create', '--tenant', 'keys-co', '--name', 'helpdesk', '--role', 'rol_tenantSupport', '--json']));
    expect((await testPlatform.client(key.secret).tenant(tenant.tenant.id).retrieve()).id).toBe(tenant.tenant.id);
    const human = await highrise(['keys', 'rotate', key.id, '--tenant', 'keys-co', '--grace-seconds', '0']);
    expect(human.code).toBe(0);
    const secret = /^secret:\s+(\S+)$/m.exec(human.stdout)?.[1];
    expect(secret).toMatch(/^hr_(live|test)_/);
    expect(await failure(testPlatform.client(key.secret).tenant(tenant.tenant.id).retrieve())).toBeInstanceOf(AuthenticationError);
    expect((await testPlatform.client(secret!).tenant(tenant.tenant.id).retrieve()).id).toBe(tenant.tenant.id);
  });
});

describe('highrise numbers and port-orders', SLOW, () => {
  it('adds a number to the inventory, assigns it, lists and releases it', async () => {
    const tenant = await provider.tenants.create({ name: 'Numbers', slug: 'numbers-co' });
    const created = json<{ id: string; number: string }>(await highrise(['numbers', 'create', '+1 (415) 555-0142', '--json']));
    expect(created.number).toBe('+14155550142');
    expect(json<{ number: string }[]>(await highrise(['numbers', 'list', '--available', '--json'])).map((n) => n.number)).toContain('+14155550142');
    expect(json<{ tenantId: string }>(await highrise(['numbers', 'assign', '+14155550142', '--tenant', 'numbers-co', '--json'])).tenantId).toBe(tenant.tenant.id);
    const listed = await highrise(['numbers', 'list', '--tenant', 'numbers-co']);
    expect(listed.stdout).toMatch(new RegExp(`^${created.id}\\s+\\+14155550142\\s+${tenant.tenant.id}\\s+-$`, 'm'));
    expect((await highrise(['numbers', 'release', created.id, '--tenant', 'numbers-co'])).stdout).toBe(`${created.id} released\n`);
    expect((await provider.tenant(tenant.tenant.id).numbers.list()).data).toEqual([]);
  });

  it('shows a tenant\'s port orders and one order\'s status with what it still needs', async () => {
    const tenant = await provider.tenants.create({ name: 'Porting', slug: 'porting-co' });
    expect(json<unknown[]>(await highrise(['port-orders', 'status', '--tenant', 'porting-co', '--json']))).toEqual([]);
    await provider.tenant(tenant.tenant.id).extensions.create({ number: '101', displayName: 'Reception' });
    const order = await provider.tenant(tenant.tenant.id).portOrders.create({
      numbers: ['+16463101077'],
      losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-1', pin: '4321' },
      authorisedPerson: { name: 'Ada Admin' },
      serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
      requestedFocDate: new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10),
      defaultDestination: { type: 'extension', target: '101' },
    });
    const list = await highrise(['port-orders', 'status', '--tenant', 'porting-co']);
    expect(list.stdout).toMatch(new RegExp(`^${order.id}\\s+draft\\s+\\+16463101077\\s`, 'm'));
    const one = await highrise(['port-orders', 'status', order.id, '--tenant', 'porting-co']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^status:\s+draft$/m);
    expect(one.stdout).toMatch(/^missing:\s+loa bill$/m);
  });
});

describe('usage', SLOW, () => {
  const commands = [
    'tenants list', 'tenants create', 'tenants suspend', 'tenants resume', 'extensions list', 'extensions import', 'keys create', 'keys rotate',
    'numbers list', 'numbers create', 'numbers assign', 'numbers release', 'port-orders status',
  ];

  it('prints help for every command and group on stdout, exiting 0, without a platform or a key', async () => {
    const runs = await Promise.all([
      ...commands.map((c) => highrise([...c.split(' '), '--help'], { HIGHRISE_BASE_URL: undefined, HIGHRISE_API_KEY: undefined })),
      ...['tenants', 'extensions', 'keys', 'numbers', 'port-orders'].map((g) => highrise([g, '--help'])),
    ]);
    runs.forEach((run, i) => {
      expect(run.code, run.stderr).toBe(0);
      const name = commands[i] ?? ['tenants', 'extensions', 'keys', 'numbers', 'port-orders'][i - commands.length]!;
      expect(run.stdout).toContain(`usage: highrise ${name}`);
      expect(run.stdout).toContain('--json');
    });
    expect((await highrise(['--help'])).stdout).toContain('highrise extensions list | import FILE.csv --tenant TENANT');
  });

  it('exits 2 naming an unknown command or option, a missing argument or a missing key', async () => {
    const unknown = await highrise(['tenants', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('highrise: unknown command "tenants frobnicate"');
    const flag = await highrise(['tenants', 'list', '--frobnicate']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('highrise: unknown option --frobnicate for "tenants list"');
    const missing = await highrise(['extensions', 'import', '--tenant', 'x']);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('highrise: missing FILE.csv');
    const noGroupCommand = await highrise(['keys']);
    expect(noGroupCommand.code).toBe(2);
    expect(noGroupCommand.stderr).toContain('missing command: highrise keys <command>');
    const noKey = await highrise(['tenants', 'list'], { HIGHRISE_API_KEY: undefined });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('missing --api-key (or HIGHRISE_API_KEY)');
    const wrongKey = await highrise(['tenants', 'list', '--api-key', 'hr_test_not_a_real_key_000000000']);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('highrise: unauthenticated (HTTP 401)');
  });
});
