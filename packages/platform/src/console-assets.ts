// Where the operator console's built files are, and how they are served: a mount at /console/
// with a strict Content-Security-Policy (the page loads its own scripts and talks to this origin only).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SiteOptions } from './http/site';

export const CONSOLE_PATH = '/console/';

export const CONSOLE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The console package is private to the repository: a platform installed alone has no console. */
export function locateConsole(): string | undefined {
  try {
    const dir = join(dirname(createRequire(import.meta.url).resolve('@highrise/console/package.json')), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The platform's static site with the console mounted beside whatever the caller serves. */
export function withConsole(site: SiteOptions | undefined, consoleDir: string | undefined): SiteOptions | undefined {
  if (consoleDir === undefined) return site;
  return {
    ...site,
    mounts: { ...site?.mounts, [CONSOLE_PATH]: consoleDir },
    mountHeaders: { ...site?.mountHeaders, [CONSOLE_PATH]: CONSOLE_HEADERS },
  };
}
