// The element's public contract, checked in Node through Lit's DOM shim: rendering and calls are
// covered by the browser suite (test/browser), which drives the built bundle in Chromium.
import { describe, expect, test } from 'vitest';
import { HighriseSoftphone } from './softphone';

describe('<highrise-softphone> registration', () => {
  test('defines the tag once, even when the registering module runs again', async () => {
    expect(customElements.get('highrise-softphone')).toBe(HighriseSoftphone);
    // A second copy of the bundle on the same page evaluates the module again.
    await expect(import(`./softphone?again=${Date.now()}`)).resolves.toBeDefined();
    expect(customElements.get('highrise-softphone')).toBe(HighriseSoftphone);
  });

  test('observes every documented attribute, including the reflected state', () => {
    expect([...HighriseSoftphone.observedAttributes].sort()).toEqual(
      [
        'branding',
        'call-state',
        'display-name',
        'domain',
        'extension',
        'held',
        'ice-servers',
        'input-device-id',
        'label',
        'lang',
        'muted',
        'output-device-id',
        'password',
        'registration',
        'ringtone-device-id',
        
        'server',
        'token',
      ].sort(),
    );
  });

  test('reads ice-servers as a JSON array and falls back to none', () => {
    const converter = HighriseSoftphone.getPropertyOptions('iceServers').converter as { fromAttribute(v: string | null): unknown };
    expect(converter.fromAttribute('[{"urls":"turn:127.0.0.1:3478"}]')).toEqual([{ urls: 'turn:127.0.0.1:3478' }]);
    expect(converter.fromAttribute(null)).toEqual([]);
    expect(converter.fromAttribute('{"urls":"stun:x"}')).toEqual([]);
    expect(converter.fromAttribute('not json')).toEqual([]);
  });
});
