import { randomBytes } from 'node:crypto';
import { openKyselyStore } from '../../store/kysely/index';
import { auditKeyFrom } from '../audit-key';
import type { DomainContext } from '../context';
import { createSipDirectory } from '../sip-directory';
import { resolveDial, type DialCaller, type DialResolution } from './resolve';
import { compileDialPlan } from './compiled-plan';
import { SipDirectoryCache } from '../sip-directory-cache';

export interface DialPlanBenchmark {
  /** Where `dialled` goes, asked the way the SIP edge asks: through the directory and its compiled plan. */
  cached(tenantId: string, dialled: string, caller?: DialCaller): DialResolution;
  /** The same question with the tenant's rules compiled for this one call (the edge before the plan cache; the rows come from memory now). */
  uncached(tenantId: string, dialled: string, caller?: DialCaller): DialResolution;
  close(): Promise<void>;
}

/**
 * Both ways of resolving a dial over one store (one connection), for bench/dial-plan.mjs. Opens the
 * database of a platform that has been set up and closed; nothing is served.
 */
export async function createDialPlanBenchmark(options: { dataDir: string }): Promise<DialPlanBenchmark> {
  const store = await openKyselyStore({ sqlite: { dataDir: options.dataDir } });
  // Resolution writes no audit events; a throwaway key satisfies the context.
  const ctx: DomainContext = { store, baseSipDomain: 'sip.localhost', now: () => new Date(), auditKey: auditKeyFrom(randomBytes(32)) };
  const cache = new SipDirectoryCache(store);
  await cache.start();
  const directory = createSipDirectory(ctx, new Uint8Array(32), cache);
  return {
    cached: (tenantId, dialled, caller = {}) => directory.resolveDial!(tenantId, dialled, caller),
    uncached: (tenantId, dialled, caller = {}) => {
      const dial = cache.tenant(tenantId)!.dial;
      return resolveDial({ ...dial, plan: compileDialPlan(dial.rules()) }, dialled, caller);
    },
    close: async () => {
      cache.stop();
      await store.close();
    },
  };
}
