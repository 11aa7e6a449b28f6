// The README's "Roles and API keys" example, word for word below this comment (test/readme.test.ts
// checks that, and runs it against a real platform). Run it against `npm start`:
//   HIGHRISE_BASE_URL=http://localhost:8080 HIGHRISE_API_KEY=<provider owner key> \
//     node packages/examples/dist/roles-and-keys.js
import { Highrise } from '@highrise/sdk';

const hr = new Highrise(); // the provider owner: HIGHRISE_API_KEY and HIGHRISE_BASE_URL from the environment
const reseller = await hr.resellers.create({ name: 'Northwind Telecom' });
// The reseller's owner role: `admin` holds everything but `roles:manage`, and could not create the role below.
const { secret } = await hr.apiKeys.create({ name: 'northwind ops', roleId: 'rol_resellerOwner', resellerId: reseller.id });

const northwind = hr.withOptions({ apiKey: secret });
const { tenant } = await northwind.tenants.create({ name: 'Acme Dental', slug: 'acme-dental' }); // resellerId implied
const acme = northwind.tenant(tenant.id);
await acme.extensions.create({ number: '101', displayName: 'Ann' });
const desk = await acme.roles.create({ name: 'front desk', permissions: ['extensions:read', 'softphone_tokens:create'] });
const key = await acme.apiKeys.create({ name: 'reception PC', roleId: desk.id, expiresAt: '2027-01-01T00:00:00Z' });
const ann = await acme.apiKeys.create({ name: 'Ann', extension: '101' }); // end user: sees only extension 101

const rotated = await acme.apiKeys.rotate(key.id, { gracePeriodSeconds: 3600 }); // old secret works one more hour
await acme.apiKeys.revoke(ann.id); // 401 from the next request
await acme.softphoneTokens.rotateSigningKey(); // earlier widget tokens: refused for new connections
await hr.resellers.suspend(reseller.id); // the reseller's keys, its tenants' keys, tokens and phones: refused until resume
console.log('rotated', rotated.id, 'revoked', ann.id, 'suspended', reseller.id);
