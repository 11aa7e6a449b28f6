/**
 * The real platform for an integration suite: started in-process on a free loopback port with a
 * fresh SQLite directory and a bootstrap (provider) key, spoken to through the public SDK. One
 * place for the lifecycle so every suite starts and tears down the platform the same way.
 * (SIP suites provision over plain fetch instead, in ./sip-provision, so they depend on the HTTP
 * contract and not on the SDK.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startPlatform, type Platform, type PlatformOptions } from '@highrise/platform';
import { APIError, Highrise, type TenantCreateResponse } from '@highrise/sdk';

export interface TestTenant {
  /** What the provider got back when creating the tenant, admin key included. */
  created: TenantCreateResponse;
  /** The tenant's own admin, holding the key returned at creation. */
  admin: Highrise;
}

export interface TestPlatform {
  platform: Platform;
  dataDir: string;
  bootstrapKey: string;
  /** The provider owner, holding the bootstrap key. */
  provider: Highrise;
  client(apiKey: string): Highrise;
  /** A tenant with an admin (email `admin@<slug>.test` unless given), created by the provider. */
  createTenant(slug: string, name: string, admin?: { email: string; name: string }): Promise<TestTenant>;
  close(): Promise<void>;
}

/**
 * Starts the platform for the suite `name` (used for the bootstrap key and the temp dir prefix).
 * `options` go to startPlatform as they are, except that port and dataDir are always set here.
 */
export async function startTestPlatform(name: string, options: PlatformOptions = {}): Promise<TestPlatform> {
  const bootstrapKey = options.bootstrapKey ?? `hr_test_bootstrap_${name.replace(/\W/g, '_')}_0001`;
  const dataDir = await mkdtemp(join(tmpdir(), `highrise-${name}-`));
  let platform: Platform;
  try {
    platform = await startPlatform({ ...options, port: 0, dataDir, bootstrapKey });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  // No retries: a failure should show up as what the platform said the first time. Strict
  // validation: every body the suites see is checked against the contract in full (the SDK's
  // default is lenient, which would let the platform drift from its own schemas unnoticed).
  const client = (apiKey: string) => new Highrise({ baseUrl: platform.url, apiKey, maxRetries: 0, validateResponses: 'strict' });
  const provider = client(bootstrapKey);
  return {
    platform,
    dataDir,
    bootstrapKey,
    provider,
    client,
    async createTenant(slug, name, admin = { email: `admin@${slug}.test`, name: 'Admin' }) {
      const created = await provider.tenants.create({ name, slug, admin });
      return { created, admin: client(created.adminKey!.secret) };
    },
    async close() {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The rejection of `promise`, failing the test if it resolves or rejects with anything but an APIError. */
export async function expectApiError(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(APIError);
    return error as APIError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
