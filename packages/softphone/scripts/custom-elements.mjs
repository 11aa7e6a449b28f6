#!/usr/bin/env node
// Writes packages/softphone/custom-elements.json (the Custom Elements Manifest, schema 2.1.0) from
// the JSDoc of the element class: @tag, @attr, @event, @csspart, @cssproperty, @slot, and the
// public methods of the class body. The JSDoc is the contract; editors and the React wrapper read
// the manifest. `--check` fails when the committed manifest is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const SOURCE = 'src/ui/softphone.component.ts';
const OUTPUT = here('../custom-elements.json');

export function manifestFrom(source) {
  const classAt = source.indexOf('export class HighriseSoftphone');
  const docStart = source.lastIndexOf('/**', classAt);
  const doc = source
    .slice(docStart + 3, source.lastIndexOf('*/', classAt))
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''));
  const description = doc.slice(0, doc.findIndex((line) => line.startsWith('@'))).join(' ').replace(/\s+/g, ' ').trim();
  const tagged = (tag) =>
    doc
      .filter((line) => line.startsWith(`@${tag} `))
      .map((line) => {
        const [, name, text] = /^@\S+ (\S+)(?: - (.*))?$/.exec(line) ?? [];
        return { name, description: text ?? '' };
      });
  const tagName = tagged('tag')[0]?.name;
  const body = source.slice(classAt);
  // Public methods: two-space-indented members that are not private (#), static, or lifecycle.
  const lifecycle = new Set(['constructor', 'connectedCallback', 'disconnectedCallback', 'render', 'updated', 'willUpdate']);
  const methods = [...body.matchAll(/\n  (?:\/\*\*\s*([\s\S]*?)\s*\*\/\n  )?(?:async )?([a-z]\w*)\(([^)]*)\)(?:: [^{]+)? \{/g)]
    .filter(([, , name]) => !lifecycle.has(name))
    .map(([, comment, name, params]) => ({
      kind: 'method',
      name,
      ...(comment ? { description: comment.replace(/\n\s*\*\s?/g, ' ').replace(/\s+/g, ' ').trim() } : {}),
      ...(params.trim() ? { parameters: params.split(',').map((p) => ({ name: p.trim().split(/[?:= ]/)[0] })) } : {}),
    }));
  const attributes = tagged('attr').map(({ name, description }) => ({ name, description }));
  return {
    schemaVersion: '2.1.0',
    readme: 'README.md',
    modules: [
      {
        kind: 'javascript-module',
        path: SOURCE,
        declarations: [
          {
            kind: 'class',
            name: 'HighriseSoftphone',
            tagName,
            customElement: true,
            description,
            superclass: { name: 'LitElement', package: 'lit' },
            attributes,
            members: methods,
            events: tagged('event'),
            cssParts: tagged('csspart'),
            cssProperties: tagged('cssproperty'),
            slots: tagged('slot'),
          },
        ],
        exports: [
          { kind: 'js', name: 'HighriseSoftphone', declaration: { name: 'HighriseSoftphone', module: SOURCE } },
          { kind: 'custom-element-definition', name: tagName, declaration: { name: 'HighriseSoftphone', module: SOURCE } },
        ],
      },
    ],
  };
}

const json = `${JSON.stringify(manifestFrom(readFileSync(here(`../${SOURCE}`), 'utf8')), null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUTPUT, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== json) {
    console.error('custom-elements.json is stale: run `node packages/softphone/scripts/custom-elements.mjs`');
    process.exit(1);
  }
} else {
  writeFileSync(OUTPUT, json);
}
