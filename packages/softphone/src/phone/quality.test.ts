import { describe, expect, test } from 'vitest';
import { QualityWarnings, estimateMos, sampleFromCounters, type QualitySample } from './quality';

const good: QualitySample = { rtt: 40, jitter: 5, packetLoss: 0, mos: 4.4 };
const laggy: QualitySample = { ...good, rtt: 450 };

describe('estimateMos', () => {
  test('a clean loopback call scores near toll quality, a lossy one below 3.5', () => {
    expect(estimateMos(2, 1, 0)).toBeGreaterThan(4.3);
    expect(estimateMos(100, 20, 5)).toBeLessThan(4.1);
    expect(estimateMos(150, 40, 10)).toBeLessThan(3.5);
    expect(estimateMos(600, 80, 10)).toBeLessThan(3.5);
    expect(estimateMos(2000, 500, 100)).toBe(1);
  });
});

describe('sampleFromCounters', () => {
  test('loss is counted over the interval, not since the call began', () => {
    const first = sampleFromCounters(undefined, { packetsReceived: 50, packetsLost: 0, jitter: 0.004, rtt: 0.03 });
    expect(first).toMatchObject({ rtt: 30, jitter: 4, packetLoss: 0 });
    const second = sampleFromCounters(
      { packetsReceived: 50, packetsLost: 0, jitter: 0.004, rtt: 0.03 },
      { packetsReceived: 95, packetsLost: 5, jitter: 0.004, rtt: 0.03 },
    );
    expect(second.packetLoss).toBe(10);
  });
});

describe('QualityWarnings', () => {
  test('raises a warning only after three bad samples in a row', () => {
    const warnings = new QualityWarnings();
    expect(warnings.feed(laggy, 0).raised).toEqual([]);
    expect(warnings.feed(laggy, 1000).raised).toEqual([]);
    expect(warnings.feed(good, 2000).raised).toEqual([]);
    expect(warnings.feed(laggy, 3000).raised).toEqual([]);
    expect(warnings.feed(laggy, 4000).raised).toEqual([]);
    expect(warnings.feed(laggy, 5000).raised).toEqual(['high-rtt']);
    expect(warnings.feed(laggy, 6000).raised).toEqual([]); // once, not every second
    expect([...warnings.active]).toEqual(['high-rtt']);
  });

  test('clears a warning after five seconds of good samples, and a bad one restarts the wait', () => {
    const warnings = new QualityWarnings();
    for (let t = 0; t < 3000; t += 1000) warnings.feed(laggy, t);
    expect(warnings.feed(good, 3000).cleared).toEqual([]);
    expect(warnings.feed(good, 7000).cleared).toEqual([]);
    expect(warnings.feed(laggy, 7500).cleared).toEqual([]);
    expect(warnings.feed(good, 8000).cleared).toEqual([]);
    expect(warnings.feed(good, 12_999).cleared).toEqual([]);
    expect(warnings.feed(good, 13_000).cleared).toEqual(['high-rtt']);
    expect(warnings.active.size).toBe(0);
  });

  test('each threshold has its own code', () => {
    const warnings = new QualityWarnings();
    const awful: QualitySample = { rtt: 401, jitter: 31, packetLoss: 1.1, mos: 3.4 };
    let raised: string[] = [];
    for (let t = 0; t < 3000; t += 1000) raised = warnings.feed(awful, t).raised;
    expect(raised.sort()).toEqual(['high-jitter', 'high-packet-loss', 'high-rtt', 'low-mos']);
    const borderline: QualitySample = { rtt: 400, jitter: 30, packetLoss: 1, mos: 3.5 };
    const fresh = new QualityWarnings();
    for (let t = 0; t < 5000; t += 1000) expect(fresh.feed(borderline, t).raised).toEqual([]);
  });
});
