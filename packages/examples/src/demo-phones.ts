// What the demo page needs to show a phone: a fresh softphone token per tenant extension.
import type { Highrise, IceServer } from '@highrise/sdk';
import { DEMO_EXTENSIONS, RESELLER_NAME, type DemoTenant } from './seed';

export interface DemoPhone {
  /** `acme-101`: the value of `?phone=` on the demo page. */
  id: string;
  tenant: string;
  sipDomain: string;
  extension: string;
  displayName: string;
  token: string;
  sipUri: string;
  iceServers: IceServer[];
  expiresAt: string;
}

export interface DemoConfig {
  reseller: string;
  phones: DemoPhone[];
}

export async function mintDemoPhones(hr: Highrise, tenants: DemoTenant[], ttlSeconds: number): Promise<DemoConfig> {
  const phones: DemoPhone[] = [];
  for (const tenant of tenants) {
    for (const ext of DEMO_EXTENSIONS) {
      const t = await hr.tenant(tenant.id).softphoneTokens.create({ extension: ext.number, ttlSeconds });
      phones.push({
        id: `${tenant.key}-${ext.number}`,
        tenant: tenant.name,
        sipDomain: tenant.sipDomain,
        extension: ext.number,
        displayName: ext.displayName,
        token: t.token,
        sipUri: t.sipUri,
        iceServers: t.iceServers,
        expiresAt: t.expiresAt,
      });
    }
  }
  return { reseller: RESELLER_NAME, phones };
}
