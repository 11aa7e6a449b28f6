import { describe, expect, it } from 'vitest';
import { path } from './path';

describe('path', () => {
  it('percent-encodes every interpolated id', () => {
    expect(path`/v1/tenants/${'a/b?c'}/extensions`).toBe('/v1/tenants/a%2Fb%3Fc/extensions');
  });

  it('refuses ids that URL parsing would resolve away', () => {
    for (const id of ['..', '.', '']) {
      expect(() => path`/v1/tenants/${id}/extensions`).toThrow(TypeError);
    }
  });
});
