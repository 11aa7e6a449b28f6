// Ports numbers into a tenant and follows the order to the end: create the order, attach the letter
// of authorisation and a bill, submit, then poll with a progress line until the carrier completes
// it (or stops it with an exception).
//
//   HIGHRISE_BASE_URL=http://localhost:8080 HIGHRISE_API_KEY=<key that may see the tenant> \
//     node packages/examples/dist/port-numbers.js <tenantId> [+E164 ...]
//
// Without numbers it ports two made-up New York numbers. The tenant needs an extension 101, which
// the ported numbers ring. Against `npm start`'s platform the simulated carrier takes a few seconds
// per step; a number ending in 0000 shows an exception (`number_not_portable`). A platform without a
// carrier holds the order in in_review until the provider or the tenant's reseller approves it.
import { APIError, Highrise, type PortOrder } from '@highrise/sdk';

/** A one-page PDF with a correct cross-reference table, written by hand so the script needs no library. */
export function tinyPdf(text: string): Uint8Array {
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

const STEPS = ['draft', 'submitted', 'in_review', 'foc_scheduled', 'completed'] as const;

function progress(order: PortOrder): string {
  const at = STEPS.indexOf(order.status as (typeof STEPS)[number]);
  const bar = STEPS.map((s, i) => (i < at ? `✔ ${s}` : i === at ? `▶ ${s}` : `· ${s}`)).join('  ');
  const foc = order.focDate ? `  FOC ${order.focDate}` : '';
  return at >= 0 ? `${bar}${foc}` : `${order.status}${order.exception ? `: ${order.exception.reason} (${order.exception.message})` : ''}`;
}

async function portNumbers(tenantId: string, numbers: string[]) {
  const hr = new Highrise({ baseUrl: process.env.HIGHRISE_BASE_URL ?? 'http://localhost:8080', apiKey: process.env.HIGHRISE_API_KEY ?? '' });
  const porting = hr.tenant(tenantId).portOrders;

  const order = await porting.create({
    numbers,
    losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-12345678', pin: '2468' },
    authorisedPerson: { name: 'Pat Owner', email: 'pat@example.com' },
    serviceAddress: { line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postalCode: '10118', country: 'US' },
    // Today: the simulated carrier completes an order on its FOC date (a later date keeps it in foc_scheduled).
    requestedFocDate: new Date().toISOString().slice(0, 10),
    defaultDestination: { type: 'extension', target: '101' },
  });
  console.log(`order ${order.id}: ${order.numbers.join(', ')} from ${order.losingCarrier.name} (account …${order.losingCarrier.accountNumberLast4})`);

  await porting.documents.upload(order.id, { kind: 'loa', data: tinyPdf('Letter of authorisation'), contentType: 'application/pdf', filename: 'loa.pdf' });
  await porting.documents.upload(order.id, { kind: 'bill', data: tinyPdf('Old Telco bill'), contentType: 'application/pdf', filename: 'bill.pdf' });
  let current = await porting.submit(order.id);

  let last = '';
  while (current.status !== 'completed' && current.status !== 'exception' && current.status !== 'cancelled') {
    const line = progress(current);
    if (line !== last) console.log(line);
    last = line;
    await new Promise((r) => setTimeout(r, 500));
    current = await porting.retrieve(order.id);
  }
  console.log(progress(current));
  for await (const entry of porting.timeline(order.id)) {
    console.log(`  ${entry.occurredAt}  ${entry.from ?? '—'} → ${entry.to}  by ${entry.actor.type === 'api_key' ? `${entry.actor.principal} key ${entry.actor.keyId}` : `the ${entry.actor.type === 'carrier' ? 'carrier' : 'platform'}`}`);
  }
  if (current.status !== 'completed') process.exitCode = 1;
}

const [tenantId, ...numbers] = process.argv.slice(2);
if (!tenantId) {
  console.error('usage: port-numbers.js <tenantId> [+E164 ...]   (env: HIGHRISE_BASE_URL, HIGHRISE_API_KEY)');
  process.exit(2);
}
const suffix = String(Date.now() % 10_000).padStart(4, '1');
portNumbers(tenantId, numbers.length > 0 ? numbers : [`+1646555${suffix}`, `+1646556${suffix}`]).catch((e: unknown) => {
  if (e instanceof APIError) console.error(`${e.status} ${e.code}: ${e.message}`, ...e.details.map((d) => `\n  ${d.field}: ${d.issue}`));
  else console.error(e);
  process.exit(1);
});
