#!/usr/bin/env node
// npm links `highrise` when it installs, before anything is built; a link to dist/ would be skipped
// then, so the link points at this file, which loads the built CLI. In this repository `npm ci`
// builds through the root `prepare` script, so `npx highrise` works straight after it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('highrise: the platform is not built; run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(cli.href);
