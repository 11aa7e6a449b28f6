/**
 * Storage contract of numbers (DIDs), dial rules, ring groups and trunks. Kept beside types.ts so
 * the telephony collections can grow without every engineer editing one file; types.ts mounts them
 * on `Store` and `TenantScope`.
 */
import type { Page, PageQuery } from './types';

export type NumberRouteType = 'extension' | 'ring_group' | 'dial_rule';

/** Where a DID goes when it is called: an extension or ring group number, or a dial rule id. */
export interface NumberRouting {
  type: NumberRouteType;
  target: string;
}

/** A DID: platform-level (the E.164 number is unique platform-wide), owned by at most one tenant. */
export interface NumberRow {
  id: string;
  /** E.164, normalised: `+14155550100`. */
  number: string;
  /** null while the number sits in the provider's inventory. */
  tenantId: string | null;
  routing: NumberRouting | null;
  assignedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A DID as a tenant sees it: always its own. */
export interface TenantNumberRow extends NumberRow {
  tenantId: string;
}

export type DialRuleAction =
  | { type: 'extension'; target: string }
  | { type: 'ring_group'; target: string }
  | { type: 'trunk'; trunkId: string; stripDigits: number; prepend: string }
  | { type: 'reject'; status: number; reason: string | null };

export interface DialRuleRow {
  id: string;
  tenantId: string;
  name: string;
  pattern: string;
  /** 0-based, dense within the tenant: the first rule whose pattern matches wins. */
  position: number;
  action: DialRuleAction;
  createdAt: string;
  updatedAt: string;
}

export type RingStrategy = 'simultaneous' | 'sequential';

export interface RingGroupRow {
  id: string;
  tenantId: string;
  number: string;
  name: string;
  strategy: RingStrategy;
  memberTimeoutSeconds: number;
  /** Extension numbers of the same tenant, in ring order. */
  members: string[];
  createdAt: string;
  updatedAt: string;
}

export interface TrunkRow {
  id: string;
  tenantId: string;
  name: string;
  /** Digest username, unique in the tenant; never a valid extension number. */
  username: string;
  /** MD5(`username:sipDomain:password`). */
  ha1: string;
  /** Default outbound caller id: one of the tenant's own DIDs, checked again on every call. */
  callerId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** `store.numbers`: the provider's view of every DID, assigned or not. Never reached with a tenant key. */
export interface NumberInventory {
  insert(row: Omit<NumberRow, 'tenantId' | 'routing' | 'assignedAt'>): NumberRow;
  get(id: string): NumberRow | undefined;
  getByNumber(number: string): NumberRow | undefined;
  list(page: PageQuery, filter?: { assigned?: boolean }): Page<NumberRow>;
  /** Hands an unassigned number to a tenant; false when someone holds it already (checked in the same statement). */
  assign(id: string, tenantId: string, at: string): boolean;
  /** Removes an unassigned number from the platform; false when it is assigned or missing. */
  delete(id: string): boolean;
}

export interface TenantNumbers {
  list(page: PageQuery): Page<TenantNumberRow>;
  get(id: string): TenantNumberRow | undefined;
  getByNumber(number: string): TenantNumberRow | undefined;
  count(): number;
  /** The tenant's numbers that route to exactly this destination, oldest first. */
  routedTo(routing: NumberRouting): TenantNumberRow[];
  route(id: string, routing: NumberRouting | null, at: string): TenantNumberRow | undefined;
  /** Gives the number back to inventory, routing cleared. */
  release(id: string, at: string): boolean;
}

export interface TenantDialRules {
  /** Every rule in position order: the dial plan as the resolver walks it. */
  all(): DialRuleRow[];
  /** Position order; the cursor is the last position seen. */
  list(page: PageQuery): Page<DialRuleRow>;
  get(id: string): DialRuleRow | undefined;
  count(): number;
  insert(row: Omit<DialRuleRow, 'tenantId'>): DialRuleRow;
  update(id: string, patch: Partial<Pick<DialRuleRow, 'name' | 'pattern' | 'position' | 'action' | 'updatedAt'>>): DialRuleRow | undefined;
  delete(id: string): boolean;
  /** Adds `by` to the position of every rule at or after `from` (and before `to`, when given). */
  shift(from: number, by: 1 | -1, to?: number): void;
  /**
   * A number that changes whenever the rules change (the domain calls `touch()` in the same
   * transaction as every change), so a compiled copy of the rules knows it is stale. Stored with the
   * tenant, so another process writing the same database is seen too.
   */
  revision(): number;
  /** Marks the rules changed: the next `revision()` differs from every earlier one. */
  touch(): void;
}

export interface TenantRingGroups {
  list(page: PageQuery): Page<RingGroupRow>;
  get(id: string): RingGroupRow | undefined;
  getByNumber(number: string): RingGroupRow | undefined;
  count(): number;
  insert(row: Omit<RingGroupRow, 'tenantId'>): RingGroupRow;
  update(id: string, patch: Partial<Pick<RingGroupRow, 'name' | 'strategy' | 'memberTimeoutSeconds' | 'members' | 'updatedAt'>>): RingGroupRow | undefined;
  delete(id: string): boolean;
}

export interface TenantTrunks {
  list(page: PageQuery): Page<TrunkRow>;
  get(id: string): TrunkRow | undefined;
  getByUsername(username: string): TrunkRow | undefined;
  count(): number;
  insert(row: Omit<TrunkRow, 'tenantId'>): TrunkRow;
  update(id: string, patch: Partial<Pick<TrunkRow, 'name' | 'ha1' | 'callerId' | 'updatedAt'>>): TrunkRow | undefined;
  delete(id: string): boolean;
}

/** What `TenantScope` gains from this module. */
export interface DialPlanScope {
  numbers: TenantNumbers;
  dialRules: TenantDialRules;
  ringGroups: TenantRingGroups;
  trunks: TenantTrunks;
}
