import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditKey } from './audit-key';
import { newId } from '../ids';
import type { AuditEventRow, AuditFilter, Page, PageQuery } from '../store/types';
import type { DomainContext } from './context';
import { builtInRole } from './permissions';
import type { Principal } from './principal';
import { ownTenantScope, systemScope } from './system-scope';
import type { TenantScope } from '../store/tenant-scope';
import type { TenantAccess } from './tenants';

/** `prevHash` of the first event of every chain. */
export const GENESIS_HASH = '0'.repeat(64);
export const REDACTED = '[redacted]';

/** One field's change; values of secret-looking fields are replaced by REDACTED before they are stored. */
export type FieldChange = { before: unknown; after: unknown };
export type Changes = Record<string, FieldChange>;

/** What a mutation may add to its audit event beyond actor, tenant, action and target. */
export interface AuditDetails {
  /** Default: from the target id's prefix (`ext_` → extension), else from the action. */
  targetType?: string | undefined;
  /** The record before and after the mutation (null for create/delete); only changed keys are kept. */
  before?: object | null | undefined;
  after?: object | null | undefined;
}

/** An event before it joins its chain. */
export interface AuditDraft {
  action: string;
  targetId: string;
  targetType?: string | null | undefined;
  actorKeyId: string | null;
  actorPrincipal?: string | null | undefined;
  actorRole?: string | null | undefined;
  changes?: Changes | null | undefined;
  requestId: string | null;
  sourceAddress?: string | null | undefined;
}

/**
 * Secret-looking names: never written to the log, whatever the record. Matched on the field name so a
 * new secret column is redacted without anyone remembering to list it. `ha1` is the stored SIP digest.
 */
// `pin` only as a word of its own (`pin`, `pin_code`, `voicemailPin`, `PIN`), so `mapping` or `shipping` stay readable.
const SECRET_FIELD = /secret|password|passwd|token|ha1|hash|credential|private.?key|account.?number/i;
const PIN_FIELD = /(?:^|_)pin(?![a-z])|Pin(?![a-z])|PIN/;
export const isSecretField = (name: string) => SECRET_FIELD.test(name) || PIN_FIELD.test(name);
/** Bookkeeping that changes on every update and says nothing about what changed. */
const IGNORED_FIELDS = new Set(['updatedAt', 'lastUsedAt']);

function redact(name: string, value: unknown): unknown {
  if (isSecretField(name)) return value === null || value === undefined ? value ?? null : REDACTED;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(k, v)]));
  }
  return value;
}

const isTextOrNull = (value: unknown) => value === null || typeof value === 'string';
/** An array or plain object (no toJSON): written as `[…]` or `{…}`, never as `null`. */
const isContainer = (value: unknown) =>
  value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function' && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype);

/** Changed keys only, as `{ before, after }`, with secrets redacted (a changed secret still shows that it changed). */
export function diffChanges(before: object | null | undefined, after: object | null | undefined): Changes | null {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const out: Changes = {};
  for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
    if (IGNORED_FIELDS.has(key)) continue;
    const was = b[key] ?? null;
    const is = a[key] ?? null;
    if (was === is) continue;
    // Unequal strings (or a string and null), or null and an array or plain object, never serialise
    // alike; anything else is compared as JSON.
    if (!(isTextOrNull(was) && isTextOrNull(is)) && !(was === null && isContainer(is)) && !(is === null && isContainer(was)) && canonicalJson(was) === canonicalJson(is)) continue;
    out[key] = { before: redact(key, was), after: redact(key, is) };
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** JSON with object keys sorted at every depth: the same value always serialises to the same bytes. */
export function canonicalJson(value: unknown): string {
  try {
    return plainJson(value) ?? (undefined as unknown as string);
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return replacerJson(value);
  }
}

/** The definition: JSON.stringify re-building every object with its keys sorted. */
function replacerJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

const NOT_PLAIN = Symbol('not plain JSON');
/** Keys JavaScript enumerates before all others, in numeric order, whatever order they were added in. */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * The same bytes as replacerJson for plain data (strings, numbers, booleans, null, arrays, plain
 * objects), written directly instead of through a replacer that copies every object: audit records
 * are canonicalised once per event, a thousand at a time in a batch. Anything else (toJSON, class
 * instances, index-like keys, bigint) throws NOT_PLAIN and is left to the definition.
 * Returns undefined where JSON.stringify omits the value.
 */
function plainJson(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw NOT_PLAIN;
  }
  if (v === null) return 'null';
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
    // A list of flat records in sorted key order (a batch's thousand extensions): one native call.
    if (isFlatList(v)) return JSON.stringify(v);
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + (plainJson(v[i]) ?? 'null');
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const record = v as Record<string, unknown>;
  const keys = Object.keys(record);
  if (isFlatSorted(record, keys)) return JSON.stringify(record);
  let out = '{';
  let first = true;
  for (const key of keys.sort()) {
    if (INDEX_KEY.test(key)) throw NOT_PLAIN;
    const text = plainJson(record[key]);
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * An object whose keys already come in sorted order and whose values are all strings, finite
 * numbers, booleans or null: JSON.stringify writes it byte for byte as plainJson would (it keeps
 * insertion order, which is the sorted one), without a string per key. A batch's audit record is a
 * thousand of them.
 */
function isFlatSorted(record: Record<string, unknown>, keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if ((i > 0 && !(keys[i - 1]! < key)) || INDEX_KEY.test(key)) return false;
    const value = record[key];
    const type = typeof value;
    if (!(type === 'string' || type === 'boolean' || value === null || (type === 'number' && Number.isFinite(value)))) return false;
  }
  return true;
}

/**
 * An array whose items JSON.stringify writes byte for byte as plainJson would, all at once: each a
 * string, finite number, boolean or null, or a plain object (no toJSON) that isFlatSorted.
 */
function isFlatList(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const type = typeof item;
    if (type === 'string' || type === 'boolean' || item === null || (type === 'number' && Number.isFinite(item))) continue;
    if (type !== 'object' || Array.isArray(item)) return false;
    const proto = Object.getPrototypeOf(item);
    if ((proto !== Object.prototype && proto !== null) || typeof (item as { toJSON?: unknown }).toJSON === 'function') return false;
    const record = item as Record<string, unknown>;
    if (!isFlatSorted(record, Object.keys(record))) return false;
  }
  return true;
}

/** The fields a hash covers, in a fixed order: an array, not an object, so no renamed or reordered field gives the same bytes. */
const hashedFields = (version: number, e: AuditEventRow) => [
  version,
  e.id,
  e.chainSeq ?? null,
  e.occurredAt,
  e.tenantId,
  e.actorKeyId,
  e.actorPrincipal ?? null,
  e.actorRole ?? null,
  e.action,
  e.targetId,
  e.targetType ?? null,
  e.changes ?? null,
  e.requestId,
  e.sourceAddress ?? null,
  e.prevHash ?? null,
];

/**
 * The unkeyed hash of the first chain format (sha256, bare hex). Anyone could recompute it, so a
 * rewritten and re-chained log verified; it is used now only to check a legacy chain before it is
 * re-keyed (rekeyLegacyAuditChains).
 */
export function legacyEventHash(e: AuditEventRow): string {
  return createHash('sha256').update(JSON.stringify(hashedFields(1, e))).digest('hex');
}

const KEYED_PREFIX = 'hmac-sha256:';

/**
 * The hash of one event: HMAC-SHA256 under the audit key over its fields and prevHash, written as
 * `hmac-sha256:<key id>:<hex>` so a hash says which key (and which format) made it.
 */
export function keyedEventHash(key: AuditKey, e: AuditEventRow): string {
  return `${KEYED_PREFIX}${key.id}:${createHmac('sha256', key.secret).update(JSON.stringify(hashedFields(2, e))).digest('hex')}`;
}

const TARGET_TYPES: Record<string, string> = {
  ten: 'tenant',
  ext: 'extension',
  exb: 'extension_batch',
  key: 'api_key',
  res: 'reseller',
  rol: 'role',
  num: 'number',
  dlr: 'dial_rule',
  rgp: 'ring_group',
  trk: 'trunk',
  cal: 'call',
};
const targetTypeOf = (targetId: string, action: string) => TARGET_TYPES[targetId.split('_')[0] ?? ''] ?? action.split('.')[0] ?? 'unknown';

/** The name of a principal's role as it stands now ("owner", or a custom role's name). */
export async function roleNameOf(ctx: DomainContext, principal: Principal): Promise<string | null> {
  const builtIn = builtInRole(principal.roleId);
  if (builtIn) return builtIn.name;
  const role =
    principal.kind === 'tenant' || principal.kind === 'user'
      ? await ctx.store.tenant(ownTenantScope(principal)).roles.get(principal.roleId)
      : await ctx.store.roles(principal.kind === 'reseller' ? { resellerId: principal.resellerId } : 'provider').get(principal.roleId);
  return role?.name ?? null;
}

/**
 * Appends one event to its chain (the tenant's, or the platform's) and returns it. Reading the head
 * and inserting happen in one transaction; with better-sqlite3 a transaction runs alone, so no other
 * append can slip between the two, and the unique (chain, seq) index refuses a fork even from a
 * second process. A PostgreSQL store must take a per-chain lock here instead.
 */
export async function appendAuditEvent(ctx: DomainContext, scope: TenantScope | null, draft: AuditDraft): Promise<AuditEventRow> {
  return (await appendAuditEvents(ctx, scope, [draft]))[0]!;
}

/**
 * Appends several events to one chain in order (a batch's, one per item): the head is read once,
 * the events are linked in memory and written together, in one transaction like a single append.
 * The chain is the scope's tenant's, or the platform's for null.
 */
export async function appendAuditEvents(ctx: DomainContext, scope: TenantScope | null, drafts: readonly AuditDraft[]): Promise<AuditEventRow[]> {
  if (drafts.length === 0) return [];
  const tenantId = scope?.tenantId ?? null;
  return ctx.store.transaction(async () => {
    let head = await ctx.store.audit.head(scope);
    const occurredAt = ctx.now().toISOString();
    const rows = drafts.map((draft) => {
      const row = chainedRow(ctx, draft, tenantId, occurredAt, head);
      head = { chainSeq: row.chainSeq!, hash: row.hash! };
      return row;
    });
    if (rows.length === 1) await ctx.store.audit.record(scope, rows[0]!);
    else await ctx.store.audit.recordMany(scope, rows);
    return rows;
  });
}

function chainedRow(ctx: DomainContext, draft: AuditDraft, tenantId: string | null, occurredAt: string, head: { chainSeq: number; hash: string } | undefined): AuditEventRow {
  const row: AuditEventRow = {
    id: newId('evt'),
    occurredAt,
    actorKeyId: draft.actorKeyId,
    actorPrincipal: draft.actorPrincipal ?? null,
    actorRole: draft.actorRole ?? null,
    tenantId,
    action: draft.action,
    targetId: draft.targetId,
    targetType: draft.targetType ?? targetTypeOf(draft.targetId, draft.action),
    changes: draft.changes ? canonicalJson(draft.changes) : null,
    requestId: draft.requestId,
    sourceAddress: draft.sourceAddress ?? null,
    chainSeq: (head?.chainSeq ?? 0) + 1,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  row.hash = keyedEventHash(ctx.auditKey, row);
  return row;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstBrokenEventId?: string;
  reason?: 'hash_mismatch' | 'previous_event_missing' | 'chain_link_mismatch' | 'unknown_key';
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Walks a chain from its first event, one event at a time: each event's hash must be this key's
 * HMAC of its fields, its seq must follow the one before, and its prevHash must be that event's
 * hash. The first event failing any of these is reported: an edited row fails its own hash (also
 * when every later hash was recomputed, which needs the key), a deleted row shows as a gap at the
 * event after it, and a hash made by another key is `unknown_key` (the platform was started with the
 * wrong key). Deleting the newest events leaves no trace in the chain itself; comparing the head with
 * a copy kept elsewhere covers that.
 */
export class ChainVerifier {
  private checked = 0;
  private prev: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
  constructor(private readonly key: AuditKey) {}

  /** The report of the first broken event, or undefined while the chain holds. */
  check(e: AuditEventRow): ChainReport | undefined {
    const broken = (reason: NonNullable<ChainReport['reason']>): ChainReport => ({ ok: false, checked: this.checked, firstBrokenEventId: e.id, reason });
    const hash = e.hash ?? '';
    if (hash.startsWith(KEYED_PREFIX) && !hash.startsWith(`${KEYED_PREFIX}${this.key.id}:`)) return broken('unknown_key');
    if (!sameText(hash, keyedEventHash(this.key, e))) return broken('hash_mismatch');
    if (e.chainSeq !== this.prev.seq + 1) return broken('previous_event_missing');
    if (e.prevHash !== this.prev.hash) return broken('chain_link_mismatch');
    this.prev = { seq: e.chainSeq, hash };
    this.checked++;
    return undefined;
  }

  get lastSeq(): number {
    return this.prev.seq;
  }

  intact(): ChainReport {
    return { ok: true, checked: this.checked };
  }
}

export function verifyChain(key: AuditKey, events: Iterable<AuditEventRow>): ChainReport {
  const verifier = new ChainVerifier(key);
  for (const e of events) {
    const broken = verifier.check(e);
    if (broken) return broken;
  }
  return verifier.intact();
}

/** Events verified between two turns of the event loop: a few milliseconds of work. */
export const VERIFY_CHUNK = 500;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Verifies a tenant's chain a chunk at a time, giving the event loop back between chunks, so a long
 * chain never stalls the API or the SIP edge for other tenants (a million events take seconds of
 * CPU; no request may wait that long behind them). Events appended meanwhile are verified too.
 */
export async function verifyTenantAudit(ctx: DomainContext, access: TenantAccess): Promise<ChainReport> {
  const verifier = new ChainVerifier(ctx.auditKey);
  for (;;) {
    const chunk = await access.scope.auditEvents.chainAfter(verifier.lastSeq, VERIFY_CHUNK);
    for (const e of chunk) {
      const broken = verifier.check(e);
      if (broken) return broken;
    }
    if (chunk.length < VERIFY_CHUNK) return verifier.intact();
    await nextTurn();
  }
}

/**
 * Re-keys the chains written before the chain was keyed, once: on the first start with a key, when
 * no event in the database carries a keyed hash yet. Each chain is re-hashed from its first event
 * for as long as its legacy hashes and links still verify; from an event that does not (one altered
 * before the upgrade) the rest is left as it is, so verify keeps naming that event. All chains move
 * in one transaction: a crash half-way leaves every chain as it was, to be re-keyed at the next start.
 * Returns how many events were re-keyed.
 */
export async function rekeyLegacyAuditChains(ctx: DomainContext): Promise<number> {
  const { audit } = ctx.store;
  if (await audit.anyHashStartingWithAcrossTenants(KEYED_PREFIX)) return 0;
  return ctx.store.transaction(async () => {
    let rekeyed = 0;
    for (const tenantId of await audit.chainsAcrossTenants()) {
      const chain = tenantId === null ? null : systemScope('audit maintenance', tenantId);
      let old = { seq: 0, hash: GENESIS_HASH };
      let keyed = GENESIS_HASH;
      walk: for (let chunk = await audit.chainAfter(chain, 0, VERIFY_CHUNK); chunk.length > 0; chunk = await audit.chainAfter(chain, old.seq, VERIFY_CHUNK)) {
        for (const e of chunk) {
          if (e.hash !== legacyEventHash(e) || e.chainSeq !== old.seq + 1 || e.prevHash !== old.hash) break walk;
          const hash = keyedEventHash(ctx.auditKey, { ...e, prevHash: keyed });
          await audit.rehash(chain, e.id, keyed, hash);
          old = { seq: e.chainSeq, hash: e.hash };
          keyed = hash;
          rekeyed++;
        }
      }
    }
    return rekeyed;
  });
}

const LEVEL: Record<string, number> = { user: 0, tenant: 1, reseller: 2, provider: 3 };

/**
 * An event as `reader` may see it: the source address of an actor above the reader's level (a
 * provider or reseller operator, read by a tenant; a provider operator, read by a reseller) is
 * redacted, because it locates the operator's own network, not the tenant's. Same-level and lower
 * actors, and failed logins (no actor: the address is the tenant's attacker), stay visible; the
 * provider sees everything. Stored rows are never changed, so the chain still verifies.
 */
export function auditEventAsSeenBy(reader: Principal, e: AuditEventRow): AuditEventRow {
  const actorLevel = e.actorPrincipal ? LEVEL[e.actorPrincipal] : undefined;
  if (actorLevel === undefined || actorLevel <= LEVEL[reader.kind]! || e.sourceAddress == null) return e;
  return { ...e, sourceAddress: REDACTED };
}

export const listTenantAudit = (access: TenantAccess, page: PageQuery, filter: AuditFilter): Promise<Page<AuditEventRow>> =>
  access.scope.auditEvents.list(page, filter);

/**
 * Across tenants: the provider reads everything, platform events included; a reseller only its
 * tenants' events (platform events may concern other resellers). Tenant keys never get here: the
 * route is `platform`-scoped, so they read their own log under /v1/tenants/{id}/audit-events.
 */
export async function listAllAudit(ctx: DomainContext, principal: Principal, page: PageQuery, filter: AuditFilter): Promise<Page<AuditEventRow>> {
  if (principal.kind === 'provider') return ctx.store.audit.listAcrossTenants(page, filter);
  if (principal.kind === 'reseller') return ctx.store.audit.listAcrossTenants(page, { ...filter, resellerId: principal.resellerId });
  return { items: [], next: null };
}
