export interface RingToneOptions {
  sampleRate?: number;
  /** Peak amplitude, 0..1. */
  volume?: number;
}

// A double ring (two 0.4 s bursts of 400 Hz + 450 Hz, then silence): one loop of the tone the
// widget plays while a call rings in. Built at runtime so the bundle ships no audio asset.
const CADENCE_S: ReadonlyArray<readonly [on: boolean, seconds: number]> = [
  [true, 0.4],
  [false, 0.2],
  [true, 0.4],
  [false, 2],
];
const FREQUENCIES_HZ = [400, 450];


/** One loop of the ring tone as a WAV file (PCM, 8-bit unsigned, mono). */
export function createRingToneWav({ sampleRate = 8000, volume = 0.3 }: RingToneOptions = {}): Uint8Array<ArrayBuffer> {
  const samples = Math.round(CADENCE_S.reduce((total, [, seconds]) => total + seconds, 0) * sampleRate);
  const wav = new Uint8Array(44 + samples).fill(128); // 128 is silence
  const view = new DataView(wav.buffer);
  // The 44-byte header as little-endian words: "RIFF" size "WAVE" "fmt " 16, PCM + mono, the rate,
  // bytes per second (one per sample), block align 1 + 8 bits, "data" size.
  [0x46464952, 36 + samples, 0x45564157, 0x20746d66, 16, 0x10001, sampleRate, sampleRate, 0x80001, 0x61746164, samples].forEach((word, i) =>
    view.setUint32(i * 4, word, true),
  );
  let i = 0;
  for (const [on, seconds] of CADENCE_S) {
    for (const end = Math.min(samples, i + Math.round(seconds * sampleRate)); i < end; i++) {
      const t = i / sampleRate;
      if (on) wav[44 + i] = Math.round(128 + (127 * volume * FREQUENCIES_HZ.reduce((sum, f) => sum + Math.sin(2 * Math.PI * f * t), 0)) / FREQUENCIES_HZ.length);
    }
  }
  return wav;
}

let ringToneUrl: string | undefined;

/** A `blob:` URL of the ring tone, made once per page. */
export function getRingToneUrl(): string {
  return (ringToneUrl ??= URL.createObjectURL(new Blob([createRingToneWav()], { type: 'audio/wav' })));
}
