// The shipped custom-elements.json and the JSDoc it comes from tell the truth about the element:
// every observed attribute, every part it renders and every --highrise-* property its styles
// read is documented, and the committed manifest matches the source.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { HighriseSoftphone } from './softphone';
import { softphoneStyles } from './softphone.styles';

const manifestPath = fileURLToPath(new URL('../../custom-elements.json', import.meta.url));
const script = fileURLToPath(new URL('../../scripts/custom-elements.mjs', import.meta.url));
const componentSource = readFileSync(fileURLToPath(new URL('./softphone.component.ts', import.meta.url)), 'utf8');
const declaration = JSON.parse(readFileSync(manifestPath, 'utf8')).modules[0].declarations[0];
const names = (list: { name: string }[]) => list.map((item) => item.name).sort();

describe('custom-elements.json', () => {
  test('is current with the JSDoc of the element', () => {
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
    expect(declaration.tagName).toBe('highrise-softphone');
  });

  test('documents every observed attribute and every public method', () => {
    expect(names(declaration.attributes)).toEqual([...HighriseSoftphone.observedAttributes].sort());
    expect(names(declaration.members)).toEqual(
      expect.arrayContaining(['answer', 'call', 'completeTransfer', 'consult', 'hangup', 'hold', 'mute', 'reject', 'transfer', 'unhold', 'unmute', 'updateToken']),
    );
  });

  test('documents every part the template renders', () => {
    const rendered = [...new Set([...componentSource.matchAll(/part="([a-z-]+)"/g)].map((m) => m[1]!))].sort();
    expect(names(declaration.cssParts)).toEqual(rendered);
  });

  test('declares every --highrise-* property the styles read, and no other', () => {
    const used = [...new Set(softphoneStyles.cssText.match(/--highrise-[a-z-]+/g))].sort();
    expect(names(declaration.cssProperties)).toEqual(used);
  });
});
