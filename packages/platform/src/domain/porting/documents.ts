import { tenantLogoBytes } from '../branding';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newId } from '../../ids';
import type { PortDocumentKindName, PortDocumentRow } from '../../store/porting-types';
import type { Page, PageQuery } from '../../store/types';
import { recordAudit, type DomainContext } from '../context';
import { LimitExceeded, NotFound } from '../errors';
import { noteUsage } from '../limit-events';
import type { Actor } from '../principal';
import type { TenantAccess } from '../tenants';
import { UnsupportedMediaType } from './errors';
import { applyTransition, loadPortOrder, orderForAttachment } from './orders';

/**
 * Port order documents: stored as files under `<dataDir>/documents/<tenantId>/<docId>`, one row each
 * in `port_documents`, counted against the tenant's storage limit. The type is decided by the file's
 * first bytes, never by the name or the header alone.
 */

export type DocumentType = PortDocumentRow['contentType'];

/** Allowed types per kind: the letter of authorisation must be a PDF, a bill may be a scan. */
export const DOCUMENT_TYPES: Record<PortDocumentKindName, readonly DocumentType[]> = {
  loa: ['application/pdf'],
  bill: ['application/pdf', 'image/png', 'image/jpeg'],
};

/** Storage limit of a new tenant unless its creator or PlatformOptions.porting.storageLimitBytes says otherwise. */
export const DEFAULT_STORAGE_LIMIT_BYTES = 100 * 1024 * 1024;

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

/** What the bytes are, by their magic number. */
export function sniffType(bytes: Uint8Array): DocumentType | undefined {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // %PDF-
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  return undefined;
}

export interface DocumentStorage {
  dataDir: string;
}

const EXTENSIONS: Record<DocumentType, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };

export async function attachDocument(
  ctx: DomainContext,
  actor: Actor,
  access: TenantAccess,
  storage: DocumentStorage,
  orderId: string,
  input: { kind: PortDocumentKindName; filename?: string | undefined; declaredType: string | undefined; bytes: Uint8Array },
): Promise<PortDocumentRow> {
  await orderForAttachment(access, orderId);
  const sniffed = sniffType(input.bytes);
  const allowed = DOCUMENT_TYPES[input.kind];
  if (!sniffed || !allowed.includes(sniffed)) throw new UnsupportedMediaType(`a ${input.kind} must be ${allowed.join(', ')}; the content is ${sniffed ?? 'none of these'}`);
  const declared = input.declaredType?.split(';')[0]?.trim().toLowerCase();
  if (declared !== sniffed) throw new UnsupportedMediaType(`Content-Type ${declared ?? '(none)'} does not match the content (${sniffed})`);

  const id = newId('pdc');
  const relative = join('documents', access.tenant.id, id);
  const file = join(storage.dataDir, relative);
  mkdirSync(dirname(file), { recursive: true });
  // Written under a temporary name and renamed, so a crash never leaves a half file under a real id.
  writeFileSync(`${file}.part`, input.bytes);
  renameSync(`${file}.part`, file);
  try {
    return await ctx.store.transaction(async () => {
      const order = await orderForAttachment(access, orderId);
      const docs = access.scope.portOrders.documents;
      // The limit as stored now, not as loaded with the request: a PATCH that lowered it a moment ago counts.
      const limit = (await ctx.store.tenants.get(access.tenant.id))?.limits.storageBytes ?? access.tenant.limits.storageBytes;
      // A tenant's logo shares the limit with its documents.
      const stored = (await docs.totalBytes()) + (await tenantLogoBytes(access));
      if (stored + input.bytes.byteLength > limit) {
        ctx.usage?.refused(access.tenant.id, 'storage');
        throw new LimitExceeded('storage', limit);
      }
      const row = await docs.insert({
        id,
        orderId,
        kind: input.kind,
        filename: input.filename ?? `${input.kind}.${EXTENSIONS[sniffed]}`,
        contentType: sniffed,
        sizeBytes: input.bytes.byteLength,
        storagePath: relative,
        createdAt: ctx.now().toISOString(),
      });
      await noteUsage(ctx, access.capability, 'storage', stored, stored + input.bytes.byteLength, limit);
      ctx.usage?.storage(access.tenant.id, stored, stored + input.bytes.byteLength);
      await applyTransition(ctx, access, order, 'attach_document', { kind: 'api_key', actor });
      await recordAudit(ctx, actor, access.capability, 'port_document.created', id, { targetType: 'port_document', after: { kind: row.kind, filename: row.filename, sizeBytes: row.sizeBytes } });
      return row;
    });
  } catch (error) {
    rmSync(file, { force: true });
    throw error;
  }
}

export async function listDocuments(access: TenantAccess, orderId: string, page: PageQuery): Promise<Page<PortDocumentRow>> {
  await loadPortOrder(access, orderId);
  return access.scope.portOrders.documents.list(orderId, page);
}

export async function readDocument(access: TenantAccess, storage: DocumentStorage, orderId: string, id: string): Promise<{ row: PortDocumentRow; bytes: Buffer }> {
  await loadPortOrder(access, orderId);
  const row = await access.scope.portOrders.documents.get(orderId, id);
  if (!row) throw new NotFound('port_document');
  return { row, bytes: readFileSync(join(storage.dataDir, row.storagePath)) };
}
