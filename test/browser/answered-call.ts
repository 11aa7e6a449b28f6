// One step two browser suites share: a widget dials, the other answers, and both are connected with
// a steady stream of RTP over loopback (the embedded edge in call.test.ts, Kamailio in
// kamailio-call.test.ts).
import { expect } from 'vitest';
import { expectLoopbackMedia, packetsReceived, type MediaReport } from './media';
import type { PhonePage } from './softphone-page';

/** Audio runs at 50 packets/s: 25 on each side means a steady stream, not one stray packet. */
const FLOWING = { minPackets: 25, timeoutMs: 15_000 };

/** `caller` dials `number`, `callee` answers; the media reports of both, callee first. */
export async function placeAnsweredCall(caller: PhonePage, callee: PhonePage, number: string): Promise<{ callee: MediaReport; caller: MediaReport }> {
  await caller.part('number').pressSequentially(number);
  await caller.part('call-button').click();
  await caller.waitForAttribute('call-state', 'outgoing', 5_000);
  await callee.waitForAttribute('call-state', 'incoming');
  await callee.part('answer-button').click();
  await callee.waitForAttribute('call-state', 'connected');
  await caller.waitForAttribute('call-state', 'connected');

  // Media, not just signalling: both RTCPeerConnections connected and receiving RTP, over loopback.
  const [calleeReport, callerReport] = await Promise.all([callee.media(FLOWING), caller.media(FLOWING)]);
  for (const report of [calleeReport, callerReport]) {
    expect(report.connectionState).toBe('connected');
    expect(packetsReceived(report)).toBeGreaterThanOrEqual(FLOWING.minPackets);
    expectLoopbackMedia(report);
  }
  return { callee: calleeReport, caller: callerReport };
}
