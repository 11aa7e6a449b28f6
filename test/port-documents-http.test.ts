// Port-order documents over raw HTTP, as a client that writes its own requests sees them: an
// Idempotency-Key names one upload (its query and its bytes, not just its path), and a download
// answers every stored file name with a header Node can send and a browser can read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortDocument, PortDocumentList, type PortOrderCreateParams } from '@highrise/sdk/schemas';
import { startTestPlatform, type TestPlatform, type TestTenant } from './support/platform';

/** A tiny PDF: valid both as a letter of authorisation and as a bill. */
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const OTHER_PDF = new TextEncoder().encode('%PDF-1.4\n% another scan\ntrailer<<>>\n%%EOF\n');

let t: TestPlatform;
let acme: TestTenant;
let serial = 0;

const orderParams = (): PortOrderCreateParams => ({
  numbers: [`+1646${String(5_000_001 + serial++ * 7).padStart(7, '0')}`],
  losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-1', pin: '1234' },
  authorisedPerson: { name: 'Ada Admin' },
  serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
  requestedFocDate: '2031-01-15',
  defaultDestination: { type: 'extension', target: '101' },
});

async function draftOrder(): Promise<string> {
  return (await acme.admin.tenant(acme.created.tenant.id).portOrders.create(orderParams())).id;
}

const documentsUrl = (orderId: string) => `${t.platform.url}/v1/tenants/${acme.created.tenant.id}/port-orders/${orderId}/documents`;

function upload(orderId: string, query: string, bytes: Uint8Array<ArrayBuffer>, idempotencyKey?: string) {
  const headers: Record<string, string> = { Authorization: `Bearer ${acme.created.adminKey!.secret}`, 'Content-Type': 'application/pdf' };
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  return fetch(`${documentsUrl(orderId)}?${query}`, { method: 'POST', headers, body: bytes });
}

async function documentsOf(orderId: string) {
  const r = await fetch(documentsUrl(orderId), { headers: { Authorization: `Bearer ${acme.created.adminKey!.secret}` } });
  return PortDocumentList.parse(await r.json()).data;
}

beforeAll(async () => {
  t = await startTestPlatform('port-documents-http');
  acme = await t.createTenant('acme-docs', 'Acme');
  await t.provider.tenant(acme.created.tenant.id).extensions.create({ number: '101', displayName: 'Acme 101' });
});

afterAll(async () => {
  await t?.close();
});

describe('an Idempotency-Key on a document upload', () => {
  it('replays the first upload for the same query and bytes', async () => {
    const orderId = await draftOrder();
    const first = await upload(orderId, 'kind=loa&filename=loa.pdf', PDF, 'upload-same');
    expect(first.status).toBe(201);
    const again = await upload(orderId, 'kind=loa&filename=loa.pdf', PDF, 'upload-same');
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(PortDocument.parse(await again.json()).id).toBe(PortDocument.parse(await first.json()).id);
    expect(await documentsOf(orderId)).toHaveLength(1);
  });

  it('refuses the same key with kind=bill after kind=loa instead of replaying the letter of authorisation', async () => {
    const orderId = await draftOrder();
    expect((await upload(orderId, 'kind=loa', PDF, 'upload-kind')).status).toBe(201);
    const bill = await upload(orderId, 'kind=bill', PDF, 'upload-kind');
    expect(bill.status).toBe(422);
    expect(bill.headers.get('Idempotent-Replayed')).toBeNull();
    expect(((await bill.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    expect((await documentsOf(orderId)).map((d) => d.kind)).toEqual(['loa']);
  });

  it('refuses the same key with other file bytes', async () => {
    const orderId = await draftOrder();
    expect((await upload(orderId, 'kind=bill&filename=scan.pdf', PDF, 'upload-bytes')).status).toBe(201);
    const other = await upload(orderId, 'kind=bill&filename=scan.pdf', OTHER_PDF, 'upload-bytes');
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    expect(await documentsOf(orderId)).toHaveLength(1);
  });
});

describe('downloading a document', () => {
  async function roundTrip(filename: string) {
    const orderId = await draftOrder();
    const created = await upload(orderId, `kind=loa&filename=${encodeURIComponent(filename)}`, PDF);
    expect(created.status, await created.clone().text()).toBe(201);
    const doc = PortDocument.parse(await created.json());
    const r = await fetch(`${documentsUrl(orderId)}/${doc.id}/content`, { headers: { Authorization: `Bearer ${acme.created.adminKey!.secret}` } });
    return { r, doc, bytes: new Uint8Array(await r.arrayBuffer()) };
  }

  /** The name a browser takes from Content-Disposition: `filename*` (RFC 6266) when present. */
  function nameFrom(disposition: string): string {
    const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    expect(extended, disposition).not.toBeNull();
    return decodeURIComponent(extended![1]!);
  }

  it('answers a non-ASCII file name with the bytes, an ASCII fallback and the real name in filename*', async () => {
    const name = 'Überweisung ñ 文件.pdf';
    const { r, doc, bytes } = await roundTrip(name);
    expect(doc.filename).toBe(name);
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/pdf');
    expect(bytes).toEqual(PDF);
    const disposition = r.headers.get('Content-Disposition')!;
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
    expect(/filename="([^"]*)"/.exec(disposition)![1]).toBe('_berweisung _ __.pdf');
    expect(nameFrom(disposition)).toBe(name);
  });

  it('keeps quotes, apostrophes, parentheses and DEL out of the header syntax', async () => {
    const name = `say "hi" it's (1)*\x7f.pdf`;
    const { r, bytes } = await roundTrip(name);
    expect(r.status).toBe(200);
    expect(bytes).toEqual(PDF);
    const disposition = r.headers.get('Content-Disposition')!;
    expect(/filename="([^"]*)"/.exec(disposition)![1]).toBe("say _hi_ it's (1)*_.pdf");
    expect(nameFrom(disposition)).toBe(name);
  });

  it('refuses a file name with CR/LF at upload, so no header can ever be split', async () => {
    const orderId = await draftOrder();
    const r = await upload(orderId, `kind=loa&filename=${encodeURIComponent('a\r\nSet-Cookie: x=1.pdf')}`, PDF);
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; details: { field: string }[] } };
    expect(body.error.code).toBe('validation_error');
    expect(body.error.details.map((d) => d.field)).toContain('query.filename');
    expect(await documentsOf(orderId)).toEqual([]);
  });
});
