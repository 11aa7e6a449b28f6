/**
 * The operator commands of `highrise` (tenants, extensions, keys, numbers, port-orders): each talks
 * to a running platform over HTTP through `@highrise/sdk`, never to its database, so it works the
 * same against one SQLite node or many PostgreSQL ones, and every action is authorised and audited
 * as the API key's.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { APIConnectionError, APIError, Highrise, type ApiKeyWithSecret, type Extension, type PhoneNumber, type PortOrder, type Tenant } from '@highrise/sdk';
import { UsageError } from './cli-command';
import { importExtensions } from './cli-import';
import { fields, output, table, type Output, type Streams } from './cli-output';

type OptionSpec = { type: 'string' | 'boolean'; help: string; value?: string };

interface OpsCommand {
  /** `tenants create` */
  name: string;
  summary: string;
  /** Positional arguments, e.g. `TENANT` (each required). */
  args: string[];
  /** One positional argument that may be left out. */
  optionalArg?: string;
  options: Record<string, OptionSpec>;
  /** Options without which the command cannot run. */
  required?: string[];
  run(ctx: RunContext): Promise<number | void>;
}

interface RunContext {
  hr: Highrise;
  args: string[];
  values: Record<string, string | boolean | undefined>;
  out: Output;
}

const COMMON: Record<string, OptionSpec> = {
  'base-url': { type: 'string', value: 'URL', help: 'the platform, e.g. http://127.0.0.1:8080 (HIGHRISE_BASE_URL)' },
  'api-key': { type: 'string', value: 'KEY', help: 'a provider, reseller or tenant API key (HIGHRISE_API_KEY; prefer the variable: flags show in ps)' },
  json: { type: 'boolean', help: 'print the result as JSON on stdout (progress and notes stay on stderr)' },
  help: { type: 'boolean', help: 'show this help' },
};

const TENANT: OptionSpec = { type: 'string', value: 'TENANT', help: 'tenant id (ten_…) or slug' };

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

function wholeNumber(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

/** A tenant named by id, or by slug (looked up among the tenants the key may see). */
async function tenantId(hr: Highrise, ref: string): Promise<string> {
  if (/^ten_/.test(ref)) return ref;
  for await (const tenant of hr.tenants.list({ limit: 100 })) if (tenant.slug === ref) return tenant.id;
  throw new UsageError(`no tenant with slug "${ref}" is visible to this key`);
}

const tenantRows = (tenants: Tenant[]) => table(['ID', 'SLUG', 'NAME', 'STATUS', 'SIP DOMAIN'], tenants.map((t) => [t.id, t.slug, t.name, t.status, t.sipDomain]));
const tenantFields = (t: Tenant) => fields([['id', t.id], ['name', t.name], ['slug', t.slug], ['status', t.status], ['sip domain', t.sipDomain], ['reseller', t.resellerId], ['limits', t.limits]]);
const numberRows = (numbers: PhoneNumber[]) =>
  table(['ID', 'NUMBER', 'TENANT', 'ROUTING'], numbers.map((n) => [n.id, n.number, n.tenantId, n.routing && `${n.routing.type} ${n.routing.target}`]));
const keyFields = (k: ApiKeyWithSecret) =>
  fields([['id', k.id], ['name', k.name], ['principal', k.principal], ['tenant', k.tenantId], ['role', k.roleId], ['expires', k.expiresAt], ['previous secret expires', k.previousSecretExpiresAt], ['secret', k.secret]]);
const portOrderRows = (orders: PortOrder[]) =>
  table(['ID', 'STATUS', 'NUMBERS', 'FOC DATE', 'EXCEPTION', 'MISSING'], orders.map((o) => [o.id, o.status, o.numbers.join(' '), o.focDate ?? o.requestedFocDate, o.exception?.message, o.missingRequirements.join(' ')]));

/** With `--limit N` at most N items; without it every page. */
const limitOption: OptionSpec = { type: 'string', value: 'N', help: 'list at most N (default: all)' };
const collectLimit = (values: RunContext['values']) => ({ limit: wholeNumber(str(values.limit), 'limit', 1, 1_000_000) ?? Infinity });

export const COMMANDS: OpsCommand[] = [
  {
    name: 'tenants list',
    summary: 'list the tenants this key may see',
    args: [],
    options: { limit: limitOption },
    async run({ hr, values, out }) {
      const tenants = await hr.tenants.list({ limit: 100 }).toArray(collectLimit(values));
      out.result(tenants, () => tenantRows(tenants));
    },
  },
  {
    name: 'tenants create',
    summary: 'create a tenant (with an admin and its API key, shown this once, when --admin-email is given)',
    args: [],
    required: ['name', 'slug'],
    options: {
      name: { type: 'string', value: 'NAME', help: 'display name' },
      slug: { type: 'string', value: 'SLUG', help: 'DNS label; the tenant\'s SIP domain is SLUG.<base domain>' },
      reseller: { type: 'string', value: 'RESELLER', help: 'reseller id (res_…) that owns the tenant (provider keys)' },
      'admin-email': { type: 'string', value: 'EMAIL', help: 'create the tenant\'s admin with this email' },
      'admin-name': { type: 'string', value: 'NAME', help: 'the admin\'s name (default: Admin)' },
      'max-extensions': { type: 'string', value: 'N', help: 'extension limit' },
      'max-channels': { type: 'string', value: 'N', help: 'concurrent call limit' },
    },
    async run({ hr, values, out }) {
      const limits = {
        ...(values['max-extensions'] !== undefined && { extensions: wholeNumber(str(values['max-extensions']), 'max-extensions', 0, 100_000)! }),
        ...(values['max-channels'] !== undefined && { channels: wholeNumber(str(values['max-channels']), 'max-channels', 0, 10_000)! }),
      };
      if (values['admin-name'] !== undefined && values['admin-email'] === undefined) throw new UsageError('--admin-name needs --admin-email');
      const created = await hr.tenants.create({
        name: str(values.name)!,
        slug: str(values.slug)!,
        ...(values.reseller !== undefined && { resellerId: str(values.reseller)! }),
        ...(Object.keys(limits).length > 0 && { limits }),
        ...(values['admin-email'] !== undefined && { admin: { email: str(values['admin-email'])!, name: str(values['admin-name']) ?? 'Admin' } }),
      });
      out.result(created, () => tenantFields(created.tenant) + (created.adminKey ? `admin key id: ${created.adminKey.id}\nadmin key:    ${created.adminKey.secret}\n(the key is shown this once)\n` : ''));
    },
  },
  {
    name: 'tenants suspend',
    summary: 'suspend a tenant: its keys, tokens and SIP are refused at once',
    args: ['TENANT'],
    options: {},
    async run({ hr, args, out }) {
      const tenant = await hr.tenants.suspend(await tenantId(hr, args[0]!));
      out.result(tenant, () => `${tenant.slug} (${tenant.id}) is ${tenant.status}\n`);
    },
  },
  {
    name: 'tenants resume',
    summary: 'resume a suspended tenant',
    args: ['TENANT'],
    options: {},
    async run({ hr, args, out }) {
      const tenant = await hr.tenants.resume(await tenantId(hr, args[0]!));
      out.result(tenant, () => `${tenant.slug} (${tenant.id}) is ${tenant.status}\n`);
    },
  },
  {
    name: 'extensions list',
    summary: 'list a tenant\'s extensions',
    args: [],
    required: ['tenant'],
    options: { tenant: TENANT, number: { type: 'string', value: 'NUMBER', help: 'only the extension with this number' }, limit: limitOption },
    async run({ hr, values, out }) {
      const id = await tenantId(hr, str(values.tenant)!);
      const extensions: Extension[] = await hr.tenant(id).extensions.list({ limit: 100, ...(values.number !== undefined && { number: str(values.number)! }) }).toArray(collectLimit(values));
      out.result(extensions, () => table(['ID', 'NUMBER', 'NAME', 'SIP URI'], extensions.map((e) => [e.id, e.number, e.displayName, e.sipUri])));
    },
  },
  {
    name: 'extensions import',
    summary: 'create the extensions of a CSV file (columns: number, displayName, optional sipPassword), reporting each failing row',
    args: ['FILE.csv'],
    required: ['tenant'],
    options: {
      tenant: TENANT,
      'batch-size': { type: 'string', value: 'N', help: 'rows per request, 1 to 1000 (default 500)' },
      'passwords-out': { type: 'string', value: 'FILE', help: 'write number,id,sipPassword of every created extension to FILE (mode 0600); generated passwords are shown only once' },
    },
    async run({ hr, args, values, out }) {
      let text: string;
      try {
        text = await readFile(args[0]!, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${args[0]}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      const id = await tenantId(hr, str(values.tenant)!);
      const report = await importExtensions(hr.tenant(id).extensions, text, { batchSize: wholeNumber(str(values['batch-size']), 'batch-size', 1, 1000) ?? 500, out });
      const passwordsOut = str(values['passwords-out']);
      if (passwordsOut !== undefined) {
        const lines = ['number,id,sipPassword', ...report.created.map((e) => `${e.number},${e.id},"${e.sipPassword.replace(/"/g, '""')}"`)];
        await writeFile(passwordsOut, lines.join('\n') + '\n', { mode: 0o600 });
      }
      out.result({ total: report.total, created: report.created, errors: report.errors }, () => {
        const lines = [`imported ${report.created.length} of ${report.total} rows${report.errors.length ? `; ${report.errors.length} failed:` : ''}`];
        for (const e of report.errors) lines.push(`  row ${e.row}${e.number ? ` (${e.number})` : ''}: ${e.field ? `${e.field}: ` : ''}${e.issue}`);
        return lines.join('\n') + '\n';
      });
      if (!out.json && passwordsOut === undefined && report.generatedPasswords > 0) {
        const n = report.generatedPasswords;
        out.note(`note: ${n} SIP password${n === 1 ? ' was' : 's were'} generated and ${n === 1 ? 'is' : 'are'} not shown again; use --passwords-out FILE or --json to keep them`);
      }
      return report.errors.length > 0 ? 1 : 0;
    },
  },
  {
    name: 'keys create',
    summary: 'create an API key (a tenant key with --tenant); its secret is shown this once',
    args: [],
    required: ['name'],
    options: {
      name: { type: 'string', value: 'NAME', help: 'what the key is for' },
      role: { type: 'string', value: 'ROLE', help: 'role id (rol_…); required unless --extension is given' },
      tenant: { ...TENANT, help: 'make a key of this tenant (id or slug)' },
      extension: { type: 'string', value: 'NUMBER', help: 'with --tenant: a user key bound to this extension' },
      reseller: { type: 'string', value: 'RESELLER', help: 'provider keys: make a key of this reseller (res_…)' },
      'expires-at': { type: 'string', value: 'TIME', help: 'ISO 8601 time after which the key stops working' },
    },
    async run({ hr, values, out }) {
      const name = str(values.name)!;
      const expires = values['expires-at'] !== undefined ? { expiresAt: str(values['expires-at'])! } : {};
      let key: ApiKeyWithSecret;
      if (values.tenant !== undefined) {
        if (values.reseller !== undefined) throw new UsageError('--reseller and --tenant cannot be combined');
        if (values.role === undefined && values.extension === undefined) throw new UsageError('--role or --extension is required with --tenant');
        key = await hr.tenant(await tenantId(hr, str(values.tenant)!)).apiKeys.create({
          name,
          ...(values.role !== undefined && { roleId: str(values.role)! }),
          ...(values.extension !== undefined && { extension: str(values.extension)! }),
          ...expires,
        });
      } else {
        if (values.extension !== undefined) throw new UsageError('--extension needs --tenant');
        if (values.role === undefined) throw new UsageError('missing --role');
        key = await hr.apiKeys.create({ name, roleId: str(values.role)!, ...(values.reseller !== undefined && { resellerId: str(values.reseller)! }), ...expires });
      }
      out.result(key, () => keyFields(key) + '(the secret is shown this once)\n');
    },
  },
  {
    name: 'keys rotate',
    summary: 'give a key a new secret; the old one keeps working for the grace period',
    args: ['KEY_ID'],
    options: {
      tenant: { ...TENANT, help: 'the key is a tenant key of this tenant (id or slug)' },
      'grace-seconds': { type: 'string', value: 'N', help: 'how long the old secret keeps working, 0 to 2592000 (default 86400)' },
    },
    async run({ hr, args, values, out }) {
      const grace = wholeNumber(str(values['grace-seconds']), 'grace-seconds', 0, 30 * 86_400);
      const params = grace === undefined ? {} : { gracePeriodSeconds: grace };
      const keys = values.tenant !== undefined ? hr.tenant(await tenantId(hr, str(values.tenant)!)).apiKeys : hr.apiKeys;
      const key = await keys.rotate(args[0]!, params);
      out.result(key, () => keyFields(key) + '(the secret is shown this once)\n');
    },
  },
  {
    name: 'numbers list',
    summary: 'list the provider\'s number inventory, or a tenant\'s numbers with --tenant',
    args: [],
    options: { tenant: TENANT, available: { type: 'boolean', help: 'inventory only: numbers not assigned to a tenant' }, limit: limitOption },
    async run({ hr, values, out }) {
      if (values.tenant !== undefined && values.available) throw new UsageError('--available lists the inventory; it cannot be combined with --tenant');
      const pages = values.tenant !== undefined
        ? hr.tenant(await tenantId(hr, str(values.tenant)!)).numbers.list({ limit: 100 })
        : hr.numbers.list({ limit: 100, ...(values.available && { assigned: false }) });
      const numbers = await pages.toArray(collectLimit(values));
      out.result(numbers, () => numberRows(numbers));
    },
  },
  {
    name: 'numbers create',
    summary: 'add a number to the provider\'s inventory',
    args: ['NUMBER'],
    options: {},
    async run({ hr, args, out }) {
      const number = await hr.numbers.create({ number: args[0]! });
      out.result(number, () => numberRows([number]));
    },
  },
  {
    name: 'numbers assign',
    summary: 'give a number from the inventory to a tenant',
    args: ['NUMBER'],
    required: ['tenant'],
    options: { tenant: TENANT },
    async run({ hr, args, values, out }) {
      const number = await hr.tenant(await tenantId(hr, str(values.tenant)!)).numbers.assign({ number: args[0]! });
      out.result(number, () => numberRows([number]));
    },
  },
  {
    name: 'numbers release',
    summary: 'return a tenant\'s number (num_…) to the inventory',
    args: ['NUMBER_ID'],
    required: ['tenant'],
    options: { tenant: TENANT },
    async run({ hr, args, values, out }) {
      const released = await hr.tenant(await tenantId(hr, str(values.tenant)!)).numbers.release(args[0]!);
      out.result(released, () => `${released.id} released\n`);
    },
  },
  {
    name: 'port-orders status',
    summary: 'show one port order (with PORT_ORDER_ID) or every port order of a tenant, with what each still needs',
    args: [],
    optionalArg: 'PORT_ORDER_ID',
    required: ['tenant'],
    options: { tenant: TENANT, status: { type: 'string', value: 'STATUS', help: 'without PORT_ORDER_ID: only orders in this status (draft, submitted, in_review, foc_scheduled, exception, completed, cancelled)' }, limit: limitOption },
    async run({ hr, args, values, out }) {
      const orders = hr.tenant(await tenantId(hr, str(values.tenant)!)).portOrders;
      if (args[0] !== undefined) {
        const order = await orders.retrieve(args[0]);
        out.result(order, () =>
          fields([
            ['id', order.id], ['status', order.status], ['numbers', order.numbers.join(' ')], ['requested FOC', order.requestedFocDate], ['FOC date', order.focDate],
            ['exception', order.exception && `${order.exception.reason}: ${order.exception.message}`], ['missing', order.missingRequirements.join(' ') || null],
            ['next', order.allowedActions.join(' ') || null], ['submitted', order.submittedAt], ['completed', order.completedAt],
          ]),
        );
        return;
      }
      const list = await orders.list({ limit: 100, ...(values.status !== undefined && { status: str(values.status) as never }) }).toArray(collectLimit(values));
      out.result(list, () => portOrderRows(list));
    },
  },
];

const optionLine = (name: string, spec: OptionSpec) => {
  const left = `  --${name}${spec.value ? ` ${spec.value}` : ''}`;
  return `${left.padEnd(26)}${left.length >= 26 ? `\n${' '.repeat(26)}` : ''}${spec.help}`;
};

function commandUsage(command: OpsCommand): string {
  const required = (command.required ?? []).map((r) => `--${r} ${command.options[r]?.value ?? ''}`.trim());
  const args = [...command.args, ...(command.optionalArg ? [`[${command.optionalArg}]`] : [])];
  return [
    `usage: highrise ${[command.name, ...args, ...required].join(' ')} [options]`,
    '',
    `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`,
    '',
    ...Object.entries(command.options).map(([name, spec]) => optionLine(name, spec)),
    ...Object.entries(COMMON).map(([name, spec]) => optionLine(name, spec)),
    '',
  ].join('\n');
}

export function groupUsage(group: string): string {
  const commands = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  return [
    `usage: highrise ${group} <command> [options]`,
    '',
    ...commands.map((c) => `  ${c.name.padEnd(24)}${c.summary}`),
    '',
    'Every command takes --base-url URL, --api-key KEY (or HIGHRISE_BASE_URL, HIGHRISE_API_KEY), --json and --help.',
    `Run \`highrise ${group} <command> --help\` for a command's options.`,
    '',
  ].join('\n');
}

/** `highrise <group> …`: returns the exit code (0 done, 1 the platform refused or failed, 2 usage). */
export async function runOps(argv: string[], env: NodeJS.ProcessEnv, streams: Streams): Promise<number> {
  const group = argv[0]!;
  const wantsJson = argv.includes('--json');
  const usageError = (message: string, usage: string) => {
    streams.stderr.write(`highrise: ${message}\n${usage}`);
    return 2;
  };
  const sub = argv[1];
  if (sub === undefined || sub === '--help' || sub === '-h') {
    if (sub === undefined) return usageError(`missing command: highrise ${group} <command>`, groupUsage(group));
    streams.stdout.write(groupUsage(group));
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === `${group} ${sub}`);
  if (!command) return usageError(`unknown command "${group} ${sub}"`, groupUsage(group));

  let values: RunContext['values'];
  let args: string[];
  try {
    const options = Object.fromEntries(Object.entries({ ...COMMON, ...command.options }).map(([name, spec]) => [name, { type: spec.type, ...(name === 'help' && { short: 'h' }) }]));
    const parsed = parseArgs({ args: argv.slice(2), options: options as never, allowPositionals: true, strict: true });
    values = parsed.values as RunContext['values'];
    args = parsed.positionals;
  } catch (error) {
    // node's own wording is long and suggests `--`; the option's name is what matters.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message);
    return usageError(unknown ? `unknown option ${unknown[1]} for "${command.name}"` : (error as Error).message, commandUsage(command));
  }
  if (values.help) {
    streams.stdout.write(commandUsage(command));
    return 0;
  }
  const out = output(wantsJson, streams);
  try {
    const most = command.args.length + (command.optionalArg ? 1 : 0);
    if (args.length < command.args.length) throw new UsageError(`missing ${command.args.slice(args.length).join(' ')}`);
    if (args.length > most) throw new UsageError(`unexpected argument "${args[most]}"`);
    const missing = (command.required ?? []).filter((name) => values[name] === undefined);
    if (missing.length > 0) throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(', ')}`);
    const baseUrl = str(values['base-url']) ?? env.HIGHRISE_BASE_URL;
    const apiKey = str(values['api-key']) ?? env.HIGHRISE_API_KEY;
    if (!baseUrl) throw new UsageError('missing --base-url (or HIGHRISE_BASE_URL)');
    if (!apiKey) throw new UsageError('missing --api-key (or HIGHRISE_API_KEY)');
    if (!/^https?:\/\/./.test(baseUrl)) throw new UsageError(`--base-url must be an http(s) URL, not "${baseUrl}"`);
    const hr = new Highrise({ baseUrl, apiKey, maxRetries: 2 });
    return (await command.run({ hr, args, values, out })) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message, commandUsage(command));
    reportFailure(error, out, streams);
    return 1;
  }
}

/** The platform's refusal as the operator needs it: code, message, each field, and the request id to quote. */
function reportFailure(error: unknown, out: Output, streams: Streams): void {
  if (error instanceof APIError) {
    if (out.json) {
      streams.stderr.write(`${JSON.stringify({ error: { status: error.status, code: error.code, message: error.message, requestId: error.requestId, details: error.details } })}\n`);
      return;
    }
    const lines = [`highrise: ${error.code} (HTTP ${error.status}): ${error.message}`];
    for (const d of error.details) lines.push(`  ${d.field || '(body)'}: ${d.issue}`);
    if (error.requestId) lines.push(`  request id: ${error.requestId}`);
    streams.stderr.write(lines.join('\n') + '\n');
    return;
  }
  const message = error instanceof APIConnectionError ? `cannot reach the platform: ${error.message}` : error instanceof Error ? error.message : String(error);
  streams.stderr.write(out.json ? `${JSON.stringify({ error: { code: 'connection_error', message } })}\n` : `highrise: ${message}\n`);
}
