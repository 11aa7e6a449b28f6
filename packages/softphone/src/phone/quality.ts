// Call quality: a sample a second from the call's getStats(), and warnings with hysteresis. In the
// one-file bundle (the element forwards it all as `highrise-*`); `watchCallQuality`
// (quality-monitor.ts) runs the same sampler for a headless PhoneController.
import type { PhoneController } from './phone-controller';

/** One second of a call's audio as the far end's packets show it. */
export interface QualitySample {
  /** Round-trip time, milliseconds. */
  rtt: number;
  /** Inbound jitter, milliseconds. */
  jitter: number;
  /** Share of inbound packets lost since the previous sample, percent. */
  packetLoss: number;
  /** Mean opinion score estimate, 1 (bad) … 4.5 (toll quality). */
  mos: number;
}

export type QualityWarning = 'high-rtt' | 'high-jitter' | 'high-packet-loss' | 'low-mos';

/** Events of the sampler: on the phone with `watchCallQuality`, on the element as `highrise-<type>`. */
export interface QualityEventMap {
  'call-quality': CustomEvent<QualitySample>;
  'quality-warning': CustomEvent<{ code: QualityWarning; sample: QualitySample }>;
  'quality-warning-cleared': CustomEvent<{ code: QualityWarning }>;
}

/** A warning is raised after this many bad samples in a row… */
export const RAISE_AFTER_SAMPLES = 3;
/** …and cleared after the metric has been good for this long. */
export const CLEAR_AFTER_MS = 5_000;

/** Each code's metric and its limit: above it is bad (below it, for the MOS). */
const LIMITS: [QualityWarning, keyof QualitySample, number][] = [
  ['high-rtt', 'rtt', 400],
  ['high-jitter', 'jitter', 30],
  ['high-packet-loss', 'packetLoss', 1],
  ['low-mos', 'mos', 3.5],
];

/**
 * A MOS estimate from the simplified E-model (ITU-T G.107) as commonly used for VoIP monitoring:
 * one-way delay is half the RTT plus a jitter buffer of twice the jitter, and every lost percent
 * costs 2.5 R points.
 */
export function estimateMos(rttMs: number, jitterMs: number, packetLossPercent: number): number {
  const delay = rttMs / 2 + jitterMs * 2 + 10;
  const r = 93.2 - (delay < 160 ? delay / 40 : (delay - 120) / 10) - packetLossPercent * 2.5;
  if (r < 0) return 1;
  const mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
  return Math.round(Math.min(4.5, Math.max(1, mos)) * 100) / 100;
}

export interface QualityChange {
  raised: QualityWarning[];
  cleared: QualityWarning[];
}

/**
 * Turns samples into warnings with hysteresis, so one bad second never flashes a warning and one
 * good second never hides a lasting problem. Pure: time comes with each sample.
 */
export class QualityWarnings {
  /** Per code: while inactive, the bad samples in a row; while active, since when it is good. */
  #mark = new Map<QualityWarning, number>();
  readonly active = new Set<QualityWarning>();

  feed(sample: QualitySample, now: number): QualityChange {
    const change: QualityChange = { raised: [], cleared: [] };
    for (const [code, metric, limit] of LIMITS) {
      const bad = code === 'low-mos' ? sample[metric] < limit : sample[metric] > limit;
      const mark = this.#mark.get(code);
      if (!this.active.has(code)) {
        const streak = bad ? (mark ?? 0) + 1 : 0;
        this.#mark.set(code, streak);
        if (streak < RAISE_AFTER_SAMPLES) continue;
        this.active.add(code);
        change.raised.push(code);
      } else if (bad) {
        this.#mark.delete(code);
        continue;
      } else if (mark === undefined || now - mark < CLEAR_AFTER_MS) {
        this.#mark.set(code, mark ?? now);
        continue;
      } else {
        this.active.delete(code);
        change.cleared.push(code);
      }
      this.#mark.delete(code);
    }
    return change;
  }
}

/** The counters a sample is computed from, as read from `RTCPeerConnection.getStats()`. */
export interface StatsCounters {
  packetsReceived: number;
  packetsLost: number;
  /** Seconds, as WebRTC reports it. */
  jitter: number;
  /** Seconds; undefined until the first RTCP round trip. */
  rtt: number | undefined;
}

/** A sample from two consecutive readings of the counters (loss is per interval, not per call). */
export function sampleFromCounters(previous: StatsCounters | undefined, current: StatsCounters): QualitySample {
  const received = current.packetsReceived - (previous?.packetsReceived ?? 0);
  const lost = Math.max(0, current.packetsLost - (previous?.packetsLost ?? 0));
  const packetLoss = received + lost > 0 ? Math.round((lost / (received + lost)) * 1000) / 10 : 0;
  const rtt = Math.round((current.rtt ?? 0) * 1000);
  const jitter = Math.round(current.jitter * 1000);
  return { rtt, jitter, packetLoss, mos: estimateMos(rtt, jitter, packetLoss) };
}

/** Reads the counters of the audio stream from a stats report. */
export function countersFromStats(report: RTCStatsReport): StatsCounters {
  const counters: StatsCounters = { packetsReceived: 0, packetsLost: 0, jitter: 0, rtt: undefined };
  report.forEach((s: Record<string, number | string | boolean | undefined>) => {
    if (s['type'] === 'inbound-rtp') {
      counters.packetsReceived += Number(s['packetsReceived'] ?? 0);
      counters.packetsLost += Number(s['packetsLost'] ?? 0);
      counters.jitter = Math.max(counters.jitter, Number(s['jitter'] ?? 0));
    }
    if (s['type'] === 'candidate-pair' && s['nominated'] && s['currentRoundTripTime'] !== undefined) {
      counters.rtt = Number(s['currentRoundTripTime']);
    }
    if (s['type'] === 'remote-inbound-rtp' && s['roundTripTime'] !== undefined && counters.rtt === undefined) {
      counters.rtt = Number(s['roundTripTime']);
    }
  });
  return counters;
}

export type QualityEmit = <K extends keyof QualityEventMap>(type: K, detail: QualityEventMap[K]['detail']) => void;

/**
 * Samples the phone's call every `intervalMs` while it is connected and hands `emit` each
 * `call-quality` sample and each `quality-warning` / `quality-warning-cleared`. A new call (or
 * none) clears the last call's warnings. Returns a function that stops it.
 */
export function sampleCallQuality(phone: Pick<PhoneController, 'callState' | 'peerConnection'>, emit: QualityEmit, intervalMs = 1_000): () => void {
  let call: RTCPeerConnection | undefined;
  let warnings = new QualityWarnings();
  let last: StatsCounters | undefined;
  const timer = setInterval(async () => {
    const pc = phone.callState === 'connected' ? phone.peerConnection : undefined;
    if (pc !== call) {
      for (const code of warnings.active) emit('quality-warning-cleared', { code });
      call = pc;
      warnings = new QualityWarnings();
      last = undefined;
    }
    if (!pc) return;
    const counters = countersFromStats(await pc.getStats());
    const sample = sampleFromCounters(last, counters);
    last = counters;
    if (pc !== call) return;
    emit('call-quality', sample);
    const { raised, cleared } = warnings.feed(sample, Date.now());
    for (const code of raised) emit('quality-warning', { code, sample });
    for (const code of cleared) emit('quality-warning-cleared', { code });
  }, intervalMs);
  return () => clearInterval(timer);
}
