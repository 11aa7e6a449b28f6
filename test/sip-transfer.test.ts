/**
 * REFER between extensions (issue 11, edge side): the edge routes `Refer-To` through the
 * transferor's dial plan inside its tenant. A transfer goes where the transferor could call; never
 * to another tenant, never past a reject rule: those REFERs get 403 (with a Reason) and never
 * reach the transferee. Real platform, real sip.js phones.
 */
import type { Highrise } from '@highrise/sdk';
import type { Platform } from '@highrise/platform';
import { UserAgent, type Session } from 'sip.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createNodePhone, withTimeout, type NodePhone } from './support/sip-node';

const KEY = 'hr_test_bootstrap_key_sip_transfer_01';

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let hr: Highrise;
const phones: NodePhone[] = [];
let slugs = 0;

beforeAll(async () => {
  testPlatform = await startTestPlatform('sip-transfer', { bootstrapKey: KEY });
  ({ platform, provider: hr } = testPlatform);
});

afterEach(async () => {
  await Promise.all(phones.splice(0).map((phone) => phone.stop()));
});

afterAll(async () => {
  await testPlatform?.close();
});

interface TestTenant {
  slug: string;
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
}

async function tenant(): Promise<TestTenant> {
  const slug = `xfer-${++slugs}`;
  const { tenant } = await hr.tenants.create({ name: slug, slug });
  const api = hr.tenant(tenant.id);
  for (const number of ['101', '102', '103']) await api.extensions.create({ number, displayName: `Ext ${number}`, sipPassword: `pw-${slug}-${number}` });
  return { slug, sipDomain: tenant.sipDomain, api };
}

async function phone(t: TestTenant, number: string): Promise<NodePhone> {
  const p = createNodePhone({ wsUrl: platform.wsUrl, domain: t.sipDomain, number, password: `pw-${t.slug}-${number}` });
  phones.push(p);
  await p.start();
  await p.register();
  return p;
}

/** 101 calls 102 and 102 answers; 102 (the transferor) then REFERs 101 to `target`. */
async function transfer(t: TestTenant, target: string | Session) {
  const a = await phone(t, '101');
  const b = await phone(t, '102');
  const call = a.call('102');
  const incoming = await b.nextIncoming();
  await incoming.answer();
  expect(await call.outcome).toBe(200);
  const answer = new Promise<{ status: number; reason: string | undefined }>((resolve) => {
    void incoming.invitation.refer(typeof target === 'string' ? UserAgent.makeURI(target)! : target, {
      requestDelegate: {
        onAccept: (r) => resolve({ status: r.message.statusCode ?? 0, reason: undefined }),
        onReject: (r) => resolve({ status: r.message.statusCode ?? 0, reason: r.message.getHeader('reason') }),
      },
    });
  });
  const result = await withTimeout(answer, 5000, 'the REFER was never answered');
  return { ...result, transfereeGotRefer: a.received.some((r) => r.method === 'REFER') };
}

describe('REFER through the transferor dial plan', () => {
  it('passes a transfer to an extension of the same tenant on to the transferee', async () => {
    const acme = await tenant();
    const outcome = await transfer(acme, `sip:103@${acme.sipDomain}`);
    expect(outcome.transfereeGotRefer).toBe(true);
  });

  it('passes an attended transfer (Refer-To a name-addr whose URI carries Replaces) on to the transferee', async () => {
    const acme = await tenant();
    // What <highrise-softphone>'s completeTransfer() hands sip.js: the consulted call's dialog with
    // the consulted party's AOR as its target, so the REFER carries
    // `Refer-To: "Ext 103" <sip:103@…?Replaces=consulted-call-id%3Bto-tag%3Dabc%3Bfrom-tag%3Ddef>`.
    const consulted = {
      dialog: { callId: 'consulted-call-id', remoteTag: 'abc', localTag: 'def', remoteTarget: `sip:103@${acme.sipDomain}` },
      remoteIdentity: { friendlyName: 'Ext 103' },
    } as unknown as Session;
    const outcome = await transfer(acme, consulted);
    expect(outcome.transfereeGotRefer).toBe(true);
  });

  it('refuses a transfer past a reject rule of the transferor dial plan with 403 and the rule reason', async () => {
    const acme = await tenant();
    await acme.api.dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 404, reason: 'premium numbers barred' } });
    const outcome = await transfer(acme, `sip:777@${acme.sipDomain}`);
    expect(outcome.status).toBe(403);
    expect(outcome.reason).toContain('premium numbers barred');
    expect(outcome.transfereeGotRefer).toBe(false);
  });

  it('refuses a transfer to another tenant, even to a number that exists there, with 403', async () => {
    const acme = await tenant();
    const globex = await tenant();
    const outcome = await transfer(acme, `sip:103@${globex.sipDomain}`);
    expect(outcome.status).toBe(403);
    expect(outcome.transfereeGotRefer).toBe(false);
  });

  it('answers a transfer to a number the dial plan does not know with 404', async () => {
    const acme = await tenant();
    const outcome = await transfer(acme, `sip:555@${acme.sipDomain}`);
    expect(outcome.status).toBe(404);
    expect(outcome.transfereeGotRefer).toBe(false);
  });
});
