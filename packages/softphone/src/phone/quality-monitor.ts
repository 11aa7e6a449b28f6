import type { PhoneController } from './phone-controller';
import { sampleCallQuality, type QualityEventMap } from './quality';

export type { QualityEventMap, QualitySample, QualityWarning } from './quality';

/**
 * Samples the phone's call every `intervalMs` while it is connected and dispatches on the phone
 * `call-quality` (rtt, jitter, packet loss, MOS), and `quality-warning` /
 * `quality-warning-cleared` with the codes of `QualityWarnings`. For a headless PhoneController:
 * `<highrise-softphone>` runs the same sampler itself and dispatches `highrise-call-quality`, … on
 * the element. Returns a function that stops it.
 */
export function watchCallQuality(phone: PhoneController, { intervalMs = 1_000 }: { intervalMs?: number } = {}): () => void {
  return sampleCallQuality(phone, (type, detail) => phone.dispatchEvent(new CustomEvent<QualityEventMap[typeof type]['detail']>(type, { detail })), intervalMs);
}
