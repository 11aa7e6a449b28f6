import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DomainContext } from './context';

/**
 * Who holds a lease: one id per loop instance (not per process), so two platforms started in one
 * process (tests) are two owners as two nodes would be. Host and pid are there for the operator
 * reading `job_leases` or `webhook_deliveries.lease_owner`.
 */
export const newLeaseOwner = (): string => `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

/**
 * Runs `work` only if this owner gets (or already holds) the job's lease, for `leaseMs`; gives the
 * lease back after, so whichever node's timer fires next runs the next tick. `renew` extends the
 * lease during long work and says whether it is still held (work should stop when not). A node
 * killed mid-tick holds the lease until it runs out; then another node's tick takes the job over.
 * Returns false when another node held the lease (this tick was skipped).
 */
export async function runLeased(
  ctx: DomainContext,
  job: string,
  owner: string,
  leaseMs: number,
  work: (renew: () => Promise<boolean>) => Promise<void>,
): Promise<boolean> {
  const { jobs } = ctx.store.leases;
  const take = () => {
    const now = ctx.now().getTime();
    return jobs.acquire(job, owner, new Date(now).toISOString(), new Date(now + leaseMs).toISOString());
  };
  if (!(await take())) return false;
  try {
    await work(take);
  } finally {
    await jobs.release(job, owner).catch(() => {});
  }
  return true;
}
