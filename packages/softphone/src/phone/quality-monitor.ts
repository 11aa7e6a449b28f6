import type { PhoneController } from './phone-controller';
import { countersFromStats, QualityWarnings, sampleFromCounters, type QualitySample, type QualityWarning, type StatsCounters } from './quality';

/** Events `watchCallQuality` dispatches on the phone (and the element passes on as `highrise-*`, when wired). */
export interface QualityEventMap {
  'call-quality': CustomEvent<QualitySample>;
  'quality-warning': CustomEvent<{ code: QualityWarning; sample: QualitySample }>;
  'quality-warning-cleared': CustomEvent<{ code: QualityWarning }>;
}

/**
 * Samples the phone's call every `intervalMs` while it is connected and dispatches on the phone
 * `call-quality` (rtt, jitter, packet loss, MOS), and `quality-warning` /
 * `quality-warning-cleared` with the codes of `QualityWarnings`. An optional module: it is not in
 * the one-file bundle (import `@highrise/softphone/quality`, or `quality.js` next to the bundle).
 * Returns a function that stops it.
 */
export function watchCallQuality(phone: PhoneController, { intervalMs = 1_000 }: { intervalMs?: number } = {}): () => void {
  let call: RTCPeerConnection | undefined;
  let warnings = new QualityWarnings();
  let last: StatsCounters | undefined;
  const emit = <K extends keyof QualityEventMap>(type: K, detail: QualityEventMap[K]['detail']) =>
    phone.dispatchEvent(new CustomEvent(type, { detail }));
  const timer = setInterval(async () => {
    const pc = phone.callState === 'connected' ? phone.peerConnection : undefined;
    if (pc !== call) {
      // A new call (or none): its warnings start from nothing, and the old ones are over.
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
