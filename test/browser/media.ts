// Node-side view of fixtures/media-report.js: types, polling, and the loopback-only check.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { inLoopbackNamespace } from './chromium';

export interface CandidateInfo {
  address: string | undefined;
  port: number | undefined;
  protocol: string | undefined;
  candidateType: string | undefined;
}

export interface MediaReport {
  connectionState: RTCPeerConnectionState;
  iceConnectionState: RTCIceConnectionState;
  selectedPair: { local: CandidateInfo; remote: CandidateInfo } | null;
  candidates: (CandidateInfo & { side: 'local-candidate' | 'remote-candidate' })[];
  inbound: { kind: string; packetsReceived: number }[];
  outbound: { kind: string; packetsSent: number }[];
}

/** Sum of inbound-rtp packets received over every stream. */
export const packetsReceived = (report: MediaReport) => report.inbound.reduce((sum, s) => sum + s.packetsReceived, 0);

/**
 * Polls `mediaReport(pc)` in the page until the connection is up and at least `minPackets` RTP
 * packets have arrived, for up to `timeoutMs`. `pcExpression` is evaluated in the page and must yield an RTCPeerConnection.
 */
export async function waitForMediaFlowing(
  page: Page,
  pcExpression: string,
  { minPackets = 1, timeoutMs = 10_000 }: { minPackets?: number; timeoutMs?: number } = {},
): Promise<MediaReport> {
  const deadline = Date.now() + timeoutMs;
  let report: MediaReport | undefined;
  while (Date.now() < deadline) {
    report = await page.evaluate(
      async (expr) => {
        const pc = new Function(`return (${expr})`)() as RTCPeerConnection | undefined | null;
        if (!pc) return undefined;
        return (globalThis as unknown as { mediaReport(pc: RTCPeerConnection): Promise<MediaReport> }).mediaReport(pc);
      },
      pcExpression,
    );
    if (report && report.connectionState === 'connected' && packetsReceived(report) >= minPackets) return report;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`media did not flow within ${timeoutMs} ms on ${page.url()}: ${JSON.stringify(report)}`);
}

/**
 * Media must stay on loopback: the selected pair is 127.0.0.1 on both ends, and no other address
 * was even offered. Outside the namespace (a developer machine without unshare, never CI) the
 * browser can only offer its real interfaces, so only "host candidates, nothing relayed" is checked.
 */
export function expectLoopbackMedia(report: MediaReport) {
  expect(report.selectedPair, 'a selected ICE candidate pair').not.toBeNull();
  const used = [report.selectedPair!.local, report.selectedPair!.remote];
  if (inLoopbackNamespace || process.env.CI) {
    expect(used.map((c) => c.address)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(report.candidates.map((c) => c.address)).toEqual(report.candidates.map(() => '127.0.0.1'));
  }
  expect(used.map((c) => c.candidateType)).toEqual(['host', 'host']);
}
