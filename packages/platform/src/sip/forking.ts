/**
 * Ring groups at the edge: one caller's INVITE (one server transaction, one call record, one
 * channel) fanned out to member contacts as client branches. The router does the SIP I/O; this
 * module keeps the group call's state and decides which final response the caller hears.
 */
import type { LiveCall } from './calls';
import type { SipConnection } from './connection';
import type { SipRequest } from './message';

export interface ForkMember {
  number: string;
  connection: SipConnection;
  contact: string;
}

export interface Fork {
  /** The caller's INVITE and connection: the single server transaction behind every branch. */
  upstream: SipConnection;
  received: SipRequest;
  /** `connection id\nclient branch\nINVITE`, as the router keys the caller's transactions. */
  upstreamKey: string;
  call: LiveCall | undefined;
  strategy: 'simultaneous' | 'sequential';
  timeoutMs: number;
  /** Sequential: members not tried yet, in ring order. */
  waiting: ForkMember[];
  /** Our branches still without a final response. */
  live: Set<string>;
  /** Final statuses the members answered with (not counting CANCELs of our own). */
  outcomes: number[];
  /** Members we stopped ringing because their time was up. */
  timedOut: number;
  /** Member numbers we could not ring at all (not registered). */
  unregistered: number;
  /** The branch whose 2xx the caller got. */
  winner: string | undefined;
  /** The caller has its final response (2xx or the best failure). */
  done: boolean;
  /** The caller gave up (CANCEL or its socket closed). */
  cancelled: boolean;
  /** Simultaneous: one timer for the whole group; sequential uses a timer per branch. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * The failure the caller hears when no member answered: a global failure (6xx) wins, then busy
 * when every member that answered was busy, then "no answer" (480) when someone rang out, then the
 * lowest remaining class; 480 when nobody could be rung (RFC 3261 16.7 picks the "best" likewise).
 */
export function bestFailure(fork: Pick<Fork, 'outcomes' | 'timedOut' | 'unregistered'>): number {
  const global = fork.outcomes.find((s) => s >= 600);
  if (global !== undefined) return global;
  if (fork.outcomes.length > 0 && fork.timedOut === 0 && fork.outcomes.every((s) => s === 486 || s === 600)) return 486;
  if (fork.timedOut > 0 || fork.outcomes.length === 0) return 480;
  const meaningful = fork.outcomes.filter((s) => s !== 487 && s !== 408);
  if (meaningful.length === 0) return 480;
  return meaningful.reduce((best, s) => (Math.floor(s / 100) < Math.floor(best / 100) ? s : best));
}
