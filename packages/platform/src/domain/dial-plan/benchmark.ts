import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite';
import { auditKeyFrom } from '../audit-key';
import type { DomainContext } from '../context';
import { createSipDirectory } from '../sip-directory';
import { resolveDial, type DialCaller, type DialResolution } from './resolve';

export interface DialPlanBenchmark {
  /** Where `dialled` goes, asked the way the SIP edge asks: through the directory and its plan cache. */
  cached(tenantId: string, dialled: string, caller?: DialCaller): DialResolution;
  /** The same question with the tenant's rules loaded and compiled for this one call (the edge before the cache). */
  uncached(tenantId: string, dialled: string, caller?: DialCaller): DialResolution;
  close(): void;
}

/**
 * Both ways of resolving a dial over one store (one connection), for bench/dial-plan.mjs. Opens the
 * database of a platform that has been set up and closed; nothing is served.
 */
export function createDialPlanBenchmark(options: { dataDir: string }): DialPlanBenchmark {
  const store = openSqliteStore({ dataDir: options.dataDir });
  // Resolution writes no audit events; a throwaway key satisfies the context.
  const ctx: DomainContext = { store, baseSipDomain: 'sip.localhost', now: () => new Date(), auditKey: auditKeyFrom(randomBytes(32)) };
  const directory = createSipDirectory(ctx, new Uint8Array(32));
  return {
    cached: (tenantId, dialled, caller = {}) => directory.resolveDial!(tenantId, dialled, caller),
    uncached: (tenantId, dialled, caller = {}) => resolveDial(store.tenant(tenantId), dialled, caller),
    close: () => store.close(),
  };
}
