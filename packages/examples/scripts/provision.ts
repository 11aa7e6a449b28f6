// The three SDK calls a reseller's backend makes to put a customer on a phone:
// create the tenant, give it an extension, mint a token for the widget.
//
//   HIGHRISE_BASE_URL=http://localhost:8080 HIGHRISE_API_KEY=<provider or reseller key> \
//     node packages/examples/dist/provision.js initech "Initech"
import { Highrise, APIError } from '@highrise/sdk';

async function provision(slug: string, name: string) {
  const hr = new Highrise({
    baseUrl: process.env.HIGHRISE_BASE_URL ?? 'http://localhost:8080',
    apiKey: process.env.HIGHRISE_API_KEY ?? '',
  });

  const { tenant, adminKey } = await hr.tenants.create({ name, slug, admin: { email: `admin@${slug}.example`, name: `${name} admin` } });
  const extension = await hr.tenant(tenant.id).extensions.create({ number: '101', displayName: 'Reception' });
  const phone = await hr.tenant(tenant.id).softphoneTokens.create({ extension: extension.number, ttlSeconds: 3600 });

  console.log(`tenant     ${tenant.id}  (${tenant.name}, SIP domain ${tenant.sipDomain})`);
  console.log(`admin key  ${adminKey?.secret ?? '(none)'}   <- shown once; the tenant's own API key`);
  console.log(`extension  ${extension.sipUri}  SIP password ${extension.sipPassword}`);
  // The token names the edge (every Kamailio node, when there are several): no `server` attribute needed.
  console.log(`embed      <highrise-softphone token="${phone.token}"></highrise-softphone>`);
}

const [slug, name] = process.argv.slice(2);
if (!slug || !name) {
  console.error('usage: provision.js <slug> <name>   (env: HIGHRISE_BASE_URL, HIGHRISE_API_KEY)');
  process.exit(2);
}
provision(slug, name).catch((e: unknown) => {
  // Typed API errors carry a stable code and the field at fault: print those, not a stack.
  if (e instanceof APIError) console.error(`${e.status} ${e.code}: ${e.message}`, ...e.details.map((d) => `\n  ${d.field}: ${d.issue}`));
  else console.error(e);
  process.exit(1);
});
