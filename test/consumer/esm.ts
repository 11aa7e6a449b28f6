// A consumer of the packed packages, type-checked under `module: nodenext` and under
// `moduleResolution: bundler` by tools/check-packages.mjs. Every `@ts-expect-error` below must be
// an error: if the types silently became `any`, the line would compile and the check would fail.
import { Highrise, NotFoundError, APIError, verifyWebhook, isKnownWebhookEvent, type Tenant } from '@highrise/sdk';
import { Tenant as TenantSchema, ExtensionCreateParams } from '@highrise/sdk/schemas';
import { startPlatform, type PlatformOptions } from '@highrise/platform';
import { PhoneController, type PhoneOptions } from '@highrise/softphone';

export async function provision(hr: Highrise): Promise<string> {
  const { tenant } = await hr.tenants.create({ name: 'Acme Dental', slug: 'acme-dental' });
  const status: Tenant['status'] = tenant.status;
  // @ts-expect-error a method the SDK does not have must not type-check
  await hr.tenants.definitelyNotAMethod();
  // @ts-expect-error `number` is a string
  await hr.tenant(tenant.id).extensions.create({ number: 101, displayName: 'Reception' });
  for await (const t of hr.tenants.list({ limit: 10 })) void t.slug;
  try {
    await hr.tenants.retrieve('ten_missing0000');
  } catch (error) {
    if (error instanceof NotFoundError) return error.code;
    if (error instanceof APIError) return String(error.status);
  }
  return status;
}

export function parse(body: unknown) {
  const tenant = TenantSchema.parse(body);
  const params: ExtensionCreateParams = { number: '101', displayName: 'Reception' };
  return { id: tenant.id, params };
}

export async function receive(body: string, header: string | string[] | undefined, secret: string): Promise<string> {
  const event = await verifyWebhook(body, header, secret);
  if (!isKnownWebhookEvent(event)) return `ignored ${event.type}`;
  switch (event.type) {
    case 'tenant.created':
      return event.data.slug;
    case 'extension.created':
      // @ts-expect-error an extension has no slug: `data` is typed by the event type
      return event.data.slug;
    default:
      return event.type;
  }
}

export async function observe(hr: Highrise): Promise<string | null> {
  const { data, response, requestId } = await hr.tenants.retrieve('ten_x000000000').withResponse();
  void response.status;
  const status: 'active' | 'suspended' | (string & {}) = data.status;
  void status;
  return data._requestId ?? requestId;
}

export const options: Partial<PlatformOptions> = {};
export const start: typeof startPlatform = startPlatform;
export const phone = (o: PhoneOptions) => new PhoneController(o);
