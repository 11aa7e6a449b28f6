import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';

export interface SiteOptions {
  /** Served at `/`; without one only mounts and files are served. */
  root?: string | undefined;
  mounts?: Record<string, string>;
  files?: Record<string, () => string>;
  /** Headers added to every file served under a mount prefix (the console's CSP). */
  mountHeaders?: Record<string, Record<string, string>>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.woff2': 'font/woff2',
};

export const contentTypeOf = (path: string) => CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

const inside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Resolves `rest` under `dir`, following symlinks, and refuses anything that lands outside it. */
async function fileUnder(dir: string, rest: string): Promise<string | undefined> {
  try {
    const base = await realpath(resolve(dir));
    let full = await realpath(resolve(base, `.${rest.startsWith('/') ? '' : '/'}${rest}`));
    if (!inside(base, full)) return undefined;
    if ((await stat(full)).isDirectory()) {
      full = await realpath(join(full, 'index.html'));
      if (!inside(base, full)) return undefined;
    }
    return (await stat(full)).isFile() ? full : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves generated files, then mounted directories (longest prefix first), then the root.
 * Returns undefined when nothing matches, so the caller answers 404 its usual way.
 */
export function createSiteHandler(site: SiteOptions): (pathname: string) => Promise<Response | undefined> {
  const mounts = Object.entries(site.mounts ?? {}).sort(([a], [b]) => b.length - a.length);
  return async (rawPath) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(rawPath);
    } catch {
      return undefined;
    }
    if (pathname.includes('\0')) return undefined;

    const generate = site.files?.[pathname];
    if (generate) return new Response(generate(), { headers: { 'Content-Type': contentTypeOf(pathname) } });

    // `/console` → `/console/`: the mounted page's relative URLs need the trailing slash.
    if (mounts.some(([prefix]) => prefix === `${pathname}/`)) return new Response(null, { status: 308, headers: { Location: `${pathname}/` } });
    const mount = mounts.find(([prefix]) => pathname.startsWith(prefix));
    const [dir, rest] = mount ? [mount[1], pathname.slice(mount[0].length)] : [site.root, pathname];
    if (dir === undefined) return undefined;
    const file = await fileUnder(dir, rest);
    if (!file) return undefined;
    const extra = mount ? site.mountHeaders?.[mount[0]] : undefined;
    return new Response(await readFile(file), { headers: { 'Content-Type': contentTypeOf(file), ...extra } });
  };
}
