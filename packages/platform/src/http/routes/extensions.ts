import { Deleted, Extension, ExtensionBatch, ExtensionBatchCreateParams, ExtensionCreateParams, ExtensionList, ExtensionListParams, ExtensionUpdateParams, ExtensionWithPassword } from '@highrise/sdk/schemas';
import { createExtension, createExtensions, deleteExtension, listExtensions, retrieveExtension, updateExtension } from '../../domain/extensions';
import { presentExtension, presentExtensionWithPassword, presentPage } from '../present';
import { tenantRoute } from '../route';

export const extensionRoutes = [
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/extensions',
    permission: 'extensions:write',
    operationId: 'createExtension',
    summary: 'Create an extension; its SIP password is returned this once',
    body: ExtensionCreateParams,
    response: { status: 201, schema: ExtensionWithPassword, description: 'The new extension with its SIP password' },
    errors: ['extension_exists', 'limit_exceeded'],
    oneTransaction: true,
    handle: async ({ services, actor, tenant, body }) => {
      const { extension, sipPassword } = await createExtension(services.domain, actor, tenant, body);
      return { ...presentExtension(extension), sipPassword };
    },
  }),
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/extensions/batch',
    permission: 'extensions:write',
    operationId: 'createExtensionBatch',
    summary: 'Create up to 1,000 extensions at once, all or none; their SIP passwords are returned this once',
    body: ExtensionBatchCreateParams,
    response: {
      status: 201,
      schema: ExtensionBatch,
      description: 'The new extensions, in the order of the request\'s items, each with its SIP password',
      // A thousand items from presentExtensionWithPassword, typed by the handler's return type.
      validate: 'envelope-and-first-item',
    },
    errors: ['extension_exists', 'limit_exceeded'],
    oneTransaction: true,
    handle: async ({ services, actor, tenant, body }) => {
      const created = await createExtensions(services.domain, actor, tenant, body.items);
      return { object: 'list' as const, data: created.map(({ extension, sipPassword }) => presentExtensionWithPassword(extension, sipPassword)) };
    },
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/extensions',
    permission: 'extensions:read',
    operationId: 'listExtensions',
    summary: 'List a tenant\'s extensions',
    query: ExtensionListParams,
    response: { status: 200, schema: ExtensionList, description: 'One page of extensions' },
    handle: async ({ tenant, query }) => presentPage(await listExtensions(tenant, { limit: query.limit, after: query.cursor }, { number: query.number }), presentExtension),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/extensions/{extensionId}',
    permission: 'extensions:read',
    operationId: 'retrieveExtension',
    summary: 'Retrieve an extension',
    response: { status: 200, schema: Extension, description: 'The extension' },
    handle: async ({ tenant, params }) => presentExtension(await retrieveExtension(tenant, params.extensionId)),
  }),
  tenantRoute({
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/extensions/{extensionId}',
    permission: 'extensions:write',
    operationId: 'updateExtension',
    summary: 'Change an extension\'s display name or SIP password',
    body: ExtensionUpdateParams,
    response: { status: 200, schema: Extension, description: 'The updated extension' },
    handle: async ({ services, actor, tenant, params, body }) =>
      presentExtension(await updateExtension(services.domain, actor, tenant, params.extensionId, body)),
  }),
  tenantRoute({
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/extensions/{extensionId}',
    permission: 'extensions:write',
    operationId: 'deleteExtension',
    summary: 'Delete an extension',
    response: { status: 200, schema: Deleted, description: 'The extension is gone' },
    handle: async ({ services, actor, tenant, params }) => {
      await deleteExtension(services.domain, actor, tenant, params.extensionId);
      return { id: params.extensionId, object: 'extension', deleted: true as const };
    },
  }),
];
