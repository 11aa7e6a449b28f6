import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSiteHandler } from './site';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hr-site-'));
  await mkdir(join(dir, 'root', 'sub'), { recursive: true });
  await writeFile(join(dir, 'root', 'index.html'), 'home');
  await writeFile(join(dir, 'root', 'sub', 'index.html'), 'sub home');
  await writeFile(join(dir, 'outside.txt'), 'private');
  await symlink(join(dir, 'outside.txt'), join(dir, 'root', 'escape.txt'));
});

describe('the static site', () => {
  it('serves index.html for directories', async () => {
    const site = createSiteHandler({ root: join(dir, 'root') });
    expect(await (await site('/'))!.text()).toBe('home');
    expect(await (await site('/sub/'))!.text()).toBe('sub home');
  });

  it('refuses paths that leave the root, also through a symlink or an encoded dot-dot', async () => {
    const site = createSiteHandler({ root: join(dir, 'root') });
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/sub/..%2f..%2foutside.txt', '/escape.txt', '/%00', '/%E0%A4%A']) {
      expect(await site(path), path).toBeUndefined();
    }
  });

  it('prefers generated files and the longest mount', async () => {
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await writeFile(join(dir, 'a', 'x.js'), 'short');
    await writeFile(join(dir, 'a', 'b', 'x.js'), 'long');
    const site = createSiteHandler({ root: join(dir, 'root'), mounts: { '/m/': join(dir, 'a'), '/m/b/': join(dir, 'a', 'b') }, files: { '/index.html': () => 'generated' } });
    expect(await (await site('/index.html'))!.text()).toBe('generated');
    expect(await (await site('/m/x.js'))!.text()).toBe('short');
    const long = (await site('/m/b/x.js'))!;
    expect(await long.text()).toBe('long');
    expect(long.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
  });

  it('redirects a mount without its slash, adds the mount headers, and serves no root when none is given', async () => {
    const site = createSiteHandler({ mounts: { '/m/': join(dir, 'a') }, mountHeaders: { '/m/': { 'Content-Security-Policy': "default-src 'self'" } } });
    const redirect = (await site('/m'))!;
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('Location')).toBe('/m/');
    expect((await site('/m/x.js'))!.headers.get('Content-Security-Policy')).toBe("default-src 'self'");
    expect(await site('/index.html')).toBeUndefined();
    expect(await site('/')).toBeUndefined();
  });
});
