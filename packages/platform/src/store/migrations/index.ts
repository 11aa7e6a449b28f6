import type { Migration } from './types';
import { initial } from './0001_initial';
import { identity } from './0002_identity';
import { auditChain } from './0003_audit_chain';
import { callsAndLimits } from './0004_calls_and_limits';
import { numbersDialPlan } from './0005_numbers_dial_plan';
import { webhooks } from './0006_webhooks';
import { porting } from './0007_porting';
import { tenantStorageLimit } from './0008_tenant_storage_limit';
import { portingApproval } from './0010_porting_approval';
import { tenantCapsAndPlanRevision } from './0011_tenant_caps_and_plan_revision';
import { kamailioEdge } from './0012_kamailio_edge';
import { callRollups } from './0013_call_rollups';
import { branding } from './0014_branding';
import { leases } from './0015_leases';
import { tenantLifecycle } from './0016_tenant_lifecycle';
import { kamailioCallOutbox } from './0018_kamailio_call_outbox';
import { usageRollups } from './0019_usage_rollups';
import { kamailioLimits } from './0020_kamailio_limits';
import { kamailioSubscriberLimits } from './0021_kamailio_subscriber_limits';
import { kamailioUnbind } from './0022_kamailio_unbind';
import { kamailioBindingCheck } from './0023_kamailio_binding_check';
import { kamailioEndCalls } from './0024_kamailio_end_calls';
import { kamailioTokenKeys } from './0026_kamailio_token_keys';
import { kamailioTokenBindingKey } from './0027_kamailio_token_binding_key';
import { kamailioBindingLockTimeout } from './0028_kamailio_binding_lock_timeout';

export type { Migration } from './types';

/** Every migration in version order; the newest version is the schema this code expects. */
export const migrations: readonly Migration[] = [initial, identity, auditChain, callsAndLimits, numbersDialPlan, webhooks, porting, tenantStorageLimit, portingApproval, tenantCapsAndPlanRevision, kamailioEdge, callRollups, branding, leases, tenantLifecycle, kamailioCallOutbox, usageRollups, kamailioLimits, kamailioSubscriberLimits, kamailioUnbind, kamailioBindingCheck, kamailioEndCalls, kamailioTokenKeys, kamailioTokenBindingKey, kamailioBindingLockTimeout];

export const latestVersion = migrations.at(-1)?.version ?? 0;
