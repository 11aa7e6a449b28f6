import { Deleted, DialRule, DialRuleCreateParams, DialRuleList, DialRuleUpdateParams, ListParams } from '@highrise/sdk/schemas';
import { createDialRule, deleteDialRule, listDialRules, retrieveDialRule, updateDialRule } from '../../domain/dial-rules';
import { presentDialRule } from '../present-dial-plan';
import { presentPage } from '../present';
import { tenantRoute } from '../route';

export const dialRuleRoutes = [
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/dial-rules',
    permission: 'dial_plans:write',
    operationId: 'createDialRule',
    summary: 'Add a dial rule; a bad pattern is a 400 naming the character position',
    body: DialRuleCreateParams,
    response: { status: 201, schema: DialRule, description: 'The new rule at its position' },
    errors: ['limit_exceeded'],
    handle: async ({ services, actor, tenant, body }) => presentDialRule(await createDialRule(services.domain, actor, tenant, body)),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/dial-rules',
    permission: 'dial_plans:read',
    operationId: 'listDialRules',
    summary: 'List the tenant’s dial rules in position order',
    query: ListParams,
    response: { status: 200, schema: DialRuleList, description: 'One page of rules, first match first' },
    handle: async ({ tenant, query }) => presentPage(await listDialRules(tenant, { limit: query.limit, after: query.cursor }), presentDialRule),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/dial-rules/{ruleId}',
    permission: 'dial_plans:read',
    operationId: 'retrieveDialRule',
    summary: 'Retrieve a dial rule',
    response: { status: 200, schema: DialRule, description: 'The rule' },
    handle: async ({ tenant, params }) => presentDialRule(await retrieveDialRule(tenant, params.ruleId)),
  }),
  tenantRoute({
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/dial-rules/{ruleId}',
    permission: 'dial_plans:write',
    operationId: 'updateDialRule',
    summary: 'Change a dial rule, or move it to another position',
    body: DialRuleUpdateParams,
    response: { status: 200, schema: DialRule, description: 'The updated rule' },
    handle: async ({ services, actor, tenant, params, body }) => presentDialRule(await updateDialRule(services.domain, actor, tenant, params.ruleId, body)),
  }),
  tenantRoute({
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/dial-rules/{ruleId}',
    permission: 'dial_plans:write',
    operationId: 'deleteDialRule',
    summary: 'Delete a dial rule; the rules after it move up',
    response: { status: 200, schema: Deleted, description: 'The rule is gone' },
    handle: async ({ services, actor, tenant, params }) => {
      await deleteDialRule(services.domain, actor, tenant, params.ruleId);
      return { id: params.ruleId, object: 'dial_rule', deleted: true as const };
    },
  }),
];
