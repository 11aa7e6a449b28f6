/**
 * Storage contract of numbers (DIDs), dial rules, ring groups and trunks. Kept beside types.ts so
 * the telephony collections can grow without every engineer editing one file; types.ts mounts them
 * on `Store` and `TenantData`.
 */
import type { Page, PageQuery, TenantScope } from './types';

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
  insert(row: Omit<NumberRow, 'tenantId' | 'routing' | 'assignedAt'>): Promise<NumberRow>;
  get(id: string): Promise<NumberRow | undefined>;
  getByNumber(number: string): Promise<NumberRow | undefined>;
  list(page: PageQuery, filter?: { assigned?: boolean }): Promise<Page<NumberRow>>;
  /** Hands an unassigned number to a tenant; false when someone holds it already (checked in the same statement). */
  assign(id: string, to: TenantScope, at: string): Promise<boolean>;
  /** Removes an unassigned number from the platform; false when it is assigned or missing. */
  delete(id: string): Promise<boolean>;
}

export interface TenantNumbers {
  list(page: PageQuery): Promise<Page<TenantNumberRow>>;
  get(id: string): Promise<TenantNumberRow | undefined>;
  getByNumber(number: string): Promise<TenantNumberRow | undefined>;
  count(): Promise<number>;
  /** The tenant's numbers that route to exactly this destination, oldest first. */
  routedTo(routing: NumberRouting): Promise<TenantNumberRow[]>;
  route(id: string, routing: NumberRouting | null, at: string): Promise<TenantNumberRow | undefined>;
  /** Gives the number back to inventory, routing cleared. */
  release(id: string, at: string): Promise<boolean>;
}

export interface TenantDialRules {
  /** Every rule in position order: the dial plan as the resolver walks it. */
  all(): Promise<DialRuleRow[]>;
  /** Position order; the cursor is the last position seen. */
  list(page: PageQuery): Promise<Page<DialRuleRow>>;
  get(id: string): Promise<DialRuleRow | undefined>;
  count(): Promise<number>;
  insert(row: Omit<DialRuleRow, 'tenantId'>): Promise<DialRuleRow>;
  update(id: string, patch: Partial<Pick<DialRuleRow, 'name' | 'pattern' | 'position' | 'action' | 'updatedAt'>>): Promise<DialRuleRow | undefined>;
  delete(id: string): Promise<boolean>;
  /** Adds `by` to the position of every rule at or after `from` (and before `to`, when given). */
  shift(from: number, by: 1 | -1, to?: number): Promise<void>;
  /**
   * A number that changes whenever the rules change (the domain calls `touch()` in the same
   * transaction as every change), so a compiled copy of the rules knows it is stale. Stored with the
   * tenant, so another process writing the same database is seen too.
   */
  revision(): Promise<number>;
  /** Marks the rules changed: the next `revision()` differs from every earlier one. */
  touch(): Promise<void>;
}

export interface TenantRingGroups {
  list(page: PageQuery): Promise<Page<RingGroupRow>>;
  get(id: string): Promise<RingGroupRow | undefined>;
  getByNumber(number: string): Promise<RingGroupRow | undefined>;
  count(): Promise<number>;
  insert(row: Omit<RingGroupRow, 'tenantId'>): Promise<RingGroupRow>;
  update(id: string, patch: Partial<Pick<RingGroupRow, 'name' | 'strategy' | 'memberTimeoutSeconds' | 'members' | 'updatedAt'>>): Promise<RingGroupRow | undefined>;
  delete(id: string): Promise<boolean>;
}

export interface TenantTrunks {
  list(page: PageQuery): Promise<Page<TrunkRow>>;
  get(id: string): Promise<TrunkRow | undefined>;
  getByUsername(username: string): Promise<TrunkRow | undefined>;
  count(): Promise<number>;
  insert(row: Omit<TrunkRow, 'tenantId'>): Promise<TrunkRow>;
  update(id: string, patch: Partial<Pick<TrunkRow, 'name' | 'ha1' | 'callerId' | 'updatedAt'>>): Promise<TrunkRow | undefined>;
  delete(id: string): Promise<boolean>;
}

/** What `TenantData` gains from this module. */
export interface DialPlanScope {
  numbers: TenantNumbers;
  dialRules: TenantDialRules;
  ringGroups: TenantRingGroups;
  trunks: TenantTrunks;
}
