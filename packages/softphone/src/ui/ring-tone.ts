type Cadence = ReadonlyArray<readonly [on: boolean, seconds: number]>;

export interface RingToneOptions {
  sampleRate?: number;
  /** Peak amplitude, 0..1. */
  volume?: number;
  cadence?: Cadence;
  frequencies?: number[];
}

// A double ring (two 0.4 s bursts of 400 Hz + 450 Hz, then silence): one loop of the tone the
// widget plays while a call rings in. Built at runtime so the bundle ships no audio asset.
const CADENCE_S: Cadence = [
  [true, 0.4],
  [false, 0.2],
  [true, 0.4],
  [false, 2],
];
const FREQUENCIES_HZ = [400, 450];
/** What a caller hears while the far end rings (North American ringback: 440 + 480 Hz, 2 s on, 4 s off). */
const RINGBACK: RingToneOptions = { cadence: [[true, 2], [false, 4]], frequencies: [440, 480] };

/** One loop of the ring tone as a WAV file (PCM, 8-bit unsigned, mono). */
export function createRingToneWav({
  sampleRate = 8000,
  volume = 0.3,
  cadence = CADENCE_S,
  frequencies = FREQUENCIES_HZ,
}: RingToneOptions = {}): Uint8Array<ArrayBuffer> {
  const samples = Math.round(cadence.reduce((total, [, seconds]) => total + seconds, 0) * sampleRate);
  const wav = new Uint8Array(44 + samples);
  const view = new DataView(wav.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) wav[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate, true); // bytes per second: one byte per sample
  view.setUint16(32, 1, true); // block align
  view.setUint16(34, 8, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, samples, true);

  let i = 0;
  for (const [on, seconds] of cadence) {
    const end = i + Math.round(seconds * sampleRate);
    for (; i < end && i < samples; i++) {
      const t = i / sampleRate;
      const level = on ? frequencies.reduce((sum, f) => sum + Math.sin(2 * Math.PI * f * t), 0) / frequencies.length : 0;
      wav[44 + i] = Math.round(128 + 127 * volume * level);
    }
  }
  for (; i < samples; i++) wav[44 + i] = 128; // rounding left a sample or two: silence
  return wav;
}

const urls: Record<string, string> = {};

/** A `blob:` URL of the ring tone (or, with `ringback`, of the ringback tone), made once per page. */
export function getRingToneUrl(ringback = false): string {
  return (urls[String(ringback)] ??= URL.createObjectURL(new Blob([createRingToneWav(ringback ? RINGBACK : {})], { type: 'audio/wav' })));
}
