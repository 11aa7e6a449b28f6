import type { DialRule, PhoneNumber, RingGroup, Trunk } from '@highrise/sdk/schemas';
import type { TrunkView } from '../domain/trunks';
import type { DialRuleRow, NumberRow, RingGroupRow } from '../domain/records';

/** Numbers, dial rules, ring groups and trunks in the exact shapes of the SDK schemas. */

export const presentNumber = (n: NumberRow): PhoneNumber => ({
  id: n.id,
  object: 'number',
  number: n.number,
  tenantId: n.tenantId,
  routing: n.routing && { type: n.routing.type, target: n.routing.target },
  assignedAt: n.assignedAt,
  createdAt: n.createdAt,
  updatedAt: n.updatedAt,
});

export const presentDialRule = (r: DialRuleRow): DialRule => ({
  id: r.id,
  object: 'dial_rule',
  tenantId: r.tenantId,
  name: r.name,
  pattern: r.pattern,
  position: r.position,
  action: r.action,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const presentRingGroup = (g: RingGroupRow): RingGroup => ({
  id: g.id,
  object: 'ring_group',
  tenantId: g.tenantId,
  number: g.number,
  name: g.name,
  strategy: g.strategy,
  memberTimeoutSeconds: g.memberTimeoutSeconds,
  members: g.members,
  createdAt: g.createdAt,
  updatedAt: g.updatedAt,
});

export const presentTrunk = (t: TrunkView, realm: string): Trunk => ({
  id: t.id,
  object: 'trunk',
  tenantId: t.tenantId,
  name: t.name,
  username: t.username,
  realm,
  callerId: t.callerId,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});
