import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// A TenantScope is the capability to reach one tenant's rows (store/tenant-scope.ts). The type
// system keeps strings and look-alike objects out; this test keeps the makers few and named: who
// may mint one, who may ask for a system scope and why, and that nobody casts their way to one.
const src = new URL('.', import.meta.url).pathname;
const repo = join(src, '../../..');

function sources(dir: string, tests: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'node_modules' ? [] : sources(join(dir, e.name), tests)
      : e.name.endsWith('.ts') && e.name.endsWith('.test.ts') === tests ? [join(dir, e.name)] : [],
  );
}

const platformSources = sources(src, false);
const testSources = [...sources(src, true), ...sources(join(repo, 'test'), false), ...sources(join(repo, 'test'), true)];
const name = (file: string) => relative(repo, file);

/** The access check, a tenant key's own tenant, and the named system scopes: nothing else mints. */
const MINTERS = ['packages/platform/src/store/tenant-scope.ts', 'packages/platform/src/domain/tenants.ts', 'packages/platform/src/domain/principal.ts', 'packages/platform/src/domain/system-scope.ts'];

/**
 * Every production caller of systemScope, with its reason. A new one is a decision, not a
 * convenience: it belongs here, with a reason from SystemScopeReason that says why no access
 * check applies.
 */
const SYSTEM_SCOPE_CALLERS: Record<string, string[]> = {
  'packages/platform/src/domain/api-keys.ts': ['api key resolution'],
  'packages/platform/src/domain/branding.ts': ['public branding'],
  'packages/platform/src/domain/calls.ts': ['sip edge'],
  'packages/platform/src/domain/porting/automation.ts': ['port order'],
  'packages/platform/src/domain/porting/events.ts': ['port order'],
  'packages/platform/src/domain/porting/orders.ts': ['port order'],
  'packages/platform/src/domain/sip-directory-cache.ts': ['sip edge'],
  'packages/platform/src/domain/softphone-tokens.ts': ['sip edge'],
  'packages/platform/src/domain/usage-counter.ts': ['usage counter'],
  'packages/platform/src/http/unguarded.ts': ['benchmark'],
};

const systemScopeCalls = (text: string) => [...text.matchAll(/systemScope\(\s*'([^']*)'/g)].map((m) => m[1]!);

describe('tenant scope capability', () => {
  it('is minted only by the access check, principal.ts and system-scope.ts', () => {
    const offenders = platformSources.filter((f) => /\bmintTenantScope\b/.test(readFileSync(f, 'utf8')) && !MINTERS.includes(name(f))).map(name);
    expect(offenders).toEqual([]);
    const testOffenders = testSources.filter((f) => /\bmintTenantScope\b/.test(readFileSync(f, 'utf8'))).map(name);
    expect(testOffenders).toEqual([]);
  });

  it('is asked of systemScope only by the named system paths, each for its own reason', () => {
    const callers: Record<string, string[]> = {};
    for (const file of platformSources) {
      if (name(file) === 'packages/platform/src/domain/system-scope.ts') continue;
      const reasons = systemScopeCalls(readFileSync(file, 'utf8'));
      if (reasons.length > 0) callers[name(file)] = [...new Set(reasons)].sort();
    }
    expect(callers).toEqual(SYSTEM_SCOPE_CALLERS);
    // Every call names its reason as a literal, so the line says why.
    const unnamed = platformSources.filter((f) => name(f) !== 'packages/platform/src/domain/system-scope.ts' && /systemScope\((?!\s*')/.test(readFileSync(f, 'utf8'))).map(name);
    expect(unnamed).toEqual([]);
  });

  it('is a test fixture in tests, never a production reason', () => {
    // store/tenant-scope.test.ts checks the reasons themselves (an unknown one must not compile).
    const misnamed = testSources.filter((f) => name(f) !== 'packages/platform/src/store/tenant-scope.test.ts').flatMap((f) => systemScopeCalls(readFileSync(f, 'utf8')).filter((r) => r !== 'test fixture').map((r) => `${name(f)}: ${r}`));
    expect(misnamed).toEqual([]);
  });

  it('is a demo seed in the examples, nothing else', () => {
    const examples = sources(join(repo, 'packages/examples/src'), false);
    const misnamed = examples.flatMap((f) => systemScopeCalls(readFileSync(f, 'utf8')).filter((r) => r !== 'demo seed').map((r) => `${name(f)}: ${r}`));
    expect(misnamed).toEqual([]);
  });

  it('is never made by a cast', () => {
    const casts = [...platformSources, ...testSources].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\bas\s+(?:unknown\s+as\s+|any\s+as\s+)?TenantScope\b/g)].map((m) => `${name(f)}: ${m[0]}`),
    );
    expect(casts).toEqual([]);
  });
});
