// The same package through `require`, type-checked as CommonJS under `module: nodenext`.
import sdk = require('@highrise/sdk');
import schemas = require('@highrise/sdk/schemas');

export async function provision(hr: sdk.Highrise): Promise<string> {
  const { tenant } = await hr.tenants.create({ name: 'Acme Dental', slug: 'acme-dental' });
  // @ts-expect-error a method the SDK does not have must not type-check
  await hr.tenants.definitelyNotAMethod();
  const error: sdk.APIError | undefined = undefined;
  void error;
  return schemas.Tenant.parse(tenant).id;
}
