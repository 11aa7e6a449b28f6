/**
 * The purge job: deletes the data of tenants whose retention ended (domain/tenant-lifecycle.ts).
 * `purgeDueTenants` is one pass and is safe to run on several nodes at once (each purge re-checks
 * the deletion and the date in its own DELETE, so a tenant is purged once and a restore that
 * commits first wins); `startTenantPurge` runs it on a timer in the style of the idempotency purge,
 * and is the piece a lease can wrap.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { recordSecurityEvent, type DomainContext } from './context';
import { systemScope } from './system-scope';

/** How often the job looks for tenants past their retention. */
export const TENANT_PURGE_INTERVAL_MS = 60 * 60 * 1000;
/** Tenants purged per pass at most; the next pass takes the rest. */
const PURGE_BATCH = 50;

export interface TenantPurgeOptions {
  /** Where porting documents live (`<dataDir>/documents/<tenantId>/…`); their files go with the tenant. */
  dataDir?: string | undefined;
  log?: ((line: string) => void) | undefined;
}

/** Purges every tenant due now (in batches); returns the ids purged by this call. */
export async function purgeDueTenants(ctx: DomainContext, options: TenantPurgeOptions = {}): Promise<string[]> {
  const purged: string[] = [];
  for (;;) {
    const now = ctx.now().toISOString();
    const due = await ctx.store.lifecycle.duePurgeAcrossTenants(now, PURGE_BATCH);
    let progressed = false;
    for (const tenantId of due) {
      // The job's own query found the tenant: no caller, so a named system scope.
      const scope = systemScope('tenant purge', tenantId);
      const done = await ctx.store.transaction(async () => {
        if (!(await ctx.store.lifecycle.purge(scope, now))) return false;
        // The tenant's chain goes on in the audit log, which the purge leaves in place.
        await recordSecurityEvent(ctx, { scope, action: 'tenant.purged', targetId: tenantId, requestId: null });
        return true;
      });
      if (!done) continue;
      progressed = true;
      purged.push(tenantId);
      if (options.dataDir !== undefined) rmSync(join(options.dataDir, 'documents', tenantId), { recursive: true, force: true });
      options.log?.(`tenants: purged ${tenantId} (retention ended)`);
    }
    if (due.length < PURGE_BATCH || !progressed) return purged;
  }
}

/**
 * Runs the purge now and every `intervalMs` until stopped; a pass slower than the interval is not
 * started twice. The timer is unref'd so it never keeps the process alive on its own.
 */
export function startTenantPurge(ctx: DomainContext, options: TenantPurgeOptions & { intervalMs?: number | undefined } = {}): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= purgeDueTenants(ctx, options)
      .then(() => undefined)
      .catch((error: unknown) => {
        // A busy database only delays the purge to the next tick; it must not crash the process.
        options.log?.(`tenants: purge failed, retrying next tick: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        running = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? TENANT_PURGE_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
