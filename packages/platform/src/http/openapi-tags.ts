/**
 * Tags group the document's operations by resource. A route's tag comes from its path, so a new
 * route is tagged without anyone remembering to; a segment missing here still gets a tag, named
 * after the segment.
 */
const TAGS: Record<string, { name: string; description: string }> = {
  system: { name: 'System', description: 'Liveness and this document' },
  resellers: { name: 'Resellers', description: 'Resellers and the tenants they sell (provider keys)' },
  tenants: { name: 'Tenants', description: 'Tenants: create, change, suspend and resume' },
  extensions: { name: 'Extensions', description: 'Extensions (users and their SIP credentials) of a tenant' },
  'softphone-tokens': { name: 'Softphone tokens', description: 'Short-lived tokens a browser softphone registers with' },
  permissions: { name: 'Roles', description: 'Roles and the permissions they grant' },
  roles: { name: 'Roles', description: 'Roles and the permissions they grant' },
  'api-keys': { name: 'API keys', description: 'API keys: create, rotate, revoke' },
  calls: { name: 'Calls', description: 'Call records' },
  usage: { name: 'Analytics', description: 'Call figures, usage against limits, CSV exports' },
  analytics: { name: 'Analytics', description: 'Call figures, usage against limits, CSV exports' },
  numbers: { name: 'Numbers', description: 'Phone numbers: the provider’s inventory and a tenant’s assignments' },
  'dial-rules': { name: 'Dial rules', description: 'A tenant’s dial plan' },
  'ring-groups': { name: 'Ring groups', description: 'Extensions that ring together' },
  trunks: { name: 'Trunks', description: 'SIP trunks to carriers and PBXs' },
  'audit-events': { name: 'Audit events', description: 'The tamper-evident audit log' },
  'port-orders': { name: 'Number porting', description: 'Port orders, their documents, comments and timeline' },
  'webhook-endpoints': { name: 'Webhooks', description: 'Webhook endpoints and their deliveries; the events are under `webhooks`' },
  branding: { name: 'Branding', description: 'Logo, colours and names per provider, reseller and tenant' },
  public: { name: 'Branding', description: 'Logo, colours and names per provider, reseller and tenant' },
};

const titleCase = (segment: string) => segment.charAt(0).toUpperCase() + segment.slice(1).replace(/-/g, ' ');

/**
 * The resource a path is about: the first segment after `/v1/`, looking past an owning tenant or
 * reseller (`/v1/resellers/{resellerId}/branding` is branding). A segment after the owner that is
 * not a resource (`/v1/tenants/{tenantId}/suspend`) belongs to the owner.
 */
function segmentOf(path: string): string {
  if (!path.startsWith('/v1/')) return 'system';
  const owned = /^\/v1\/(tenants|resellers)\/\{\w+\}(?:\/([^/]+))?/.exec(path);
  if (owned) return owned[2] && TAGS[owned[2]] ? owned[2] : owned[1]!;
  return path.split('/')[2] ?? 'system';
}

/** The tag of one route's path. */
export function tagOf(path: string): { name: string; description?: string } {
  const segment = segmentOf(path);
  return TAGS[segment] ?? { name: titleCase(segment) };
}

/** The top-level `tags`: each tag the operations use, once, in the order first used. */
export function tagList(paths: readonly string[]): { name: string; description?: string }[] {
  const seen = new Map<string, { name: string; description?: string }>();
  for (const path of paths) {
    const tag = tagOf(path);
    if (!seen.has(tag.name)) seen.set(tag.name, tag);
  }
  return [...seen.values()];
}
