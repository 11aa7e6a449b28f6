import { describe, expect, test } from 'vitest';
import { createRingToneWav } from './ring-tone';

const text = (wav: Uint8Array, offset: number, length: number) => String.fromCharCode(...wav.subarray(offset, offset + length));

describe('createRingToneWav', () => {
  const wav = createRingToneWav();
  const view = new DataView(wav.buffer);
  const samples = wav.subarray(44);
  const second = (from: number, to: number) => samples.subarray(from * 8000, to * 8000);
  const peak = (part: Uint8Array) => Math.max(...Array.from(part, (s) => Math.abs(s - 128)));

  test('is a 3-second PCM WAV, 8 kHz mono 8-bit, with consistent sizes', () => {
    expect(text(wav, 0, 4)).toBe('RIFF');
    expect(text(wav, 8, 8)).toBe('WAVEfmt ');
    expect(view.getUint16(20, true)).toBe(1);
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint32(24, true)).toBe(8000);
    expect(view.getUint16(34, true)).toBe(8);
    expect(text(wav, 36, 4)).toBe('data');
    expect(view.getUint32(40, true)).toBe(3 * 8000);
    expect(view.getUint32(4, true)).toBe(wav.length - 8);
  });

  test('rings twice, then stays silent until the loop restarts', () => {
    expect(peak(second(0, 0.4))).toBeGreaterThan(20);
    expect(peak(second(0.41, 0.59))).toBe(0);
    expect(peak(second(0.6, 1))).toBeGreaterThan(20);
    expect(peak(second(1.01, 3))).toBe(0);
  });

  test('stays within the volume asked for', () => {
    expect(peak(createRingToneWav({ volume: 0.1 }).subarray(44))).toBeLessThanOrEqual(13);
    expect(peak(samples)).toBeLessThanOrEqual(Math.ceil(127 * 0.3));
  });
});
