import { HttpError } from './errors';

/**
 * The dated API versions (`Highrise-Version: YYYY-MM-DD`), oldest first: the changelog, in one place.
 *
 * A client pins the version it was written for (the SDK sends the one it was built for on every
 * request); the platform answers it in that version's shapes. Each version after the first says what
 * changed and carries the shim that renders its responses the way the version before it showed them:
 * per object type (`"object": "tenant"`), wherever such an object appears in a body (a single
 * resource, a list's `data`, a nested `tenant`, an export line). A client on version V gets every
 * shim newer than V applied, newest first. Requests are the same in every version so far.
 * Webhook payloads are not shimmed: an endpoint pins no version.
 */
export interface ApiVersion {
  readonly version: string;
  readonly changes: readonly string[];
  /** Renders objects of this version as the previous version showed them, by their `object` field. */
  readonly previous?: { readonly [objectType: string]: (object: Record<string, unknown>) => Record<string, unknown> };
}

export const API_VERSIONS: readonly ApiVersion[] = [
  { version: '2026-11-01', changes: ['The first dated version.'] },
  {
    version: '2026-12-01',
    changes: [
      'Tenants can be deleted (`DELETE /v1/tenants/{id}`, kept for a retention period) and restored (`POST /v1/tenants/{id}/restore`): a tenant\'s `status` may be `deleted`, and every tenant carries `deletedAt` and `purgeAt`. Before this version a deleted tenant reads as `suspended` (it is refused everywhere, as a suspended one), without the two fields.',
      '`GET /v1/tenants?status=` filters by status; deleted tenants are listed only with `status=deleted`.',
      '`GET /v1/tenants/{id}/export` streams the tenant\'s data as JSON Lines.',
      'A `Highrise-Version` that names no version gets 400 `api_version_unknown` (before, a date between versions was taken to mean the one before it).',
    ],
    previous: {
      tenant: ({ deletedAt: _deletedAt, purgeAt: _purgeAt, ...tenant }) => ({ ...tenant, status: tenant.status === 'deleted' ? 'suspended' : tenant.status }),
    },
  },
];

export const SUPPORTED_VERSIONS = API_VERSIONS.map((v) => v.version);
export const LATEST_VERSION = SUPPORTED_VERSIONS.at(-1)!;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/** The version a request is served with: the one it names, the latest when it names none. */
export function resolveVersion(header: string | undefined): string {
  if (header === undefined) return LATEST_VERSION;
  const value = header.trim();
  if (!isRealDate(value)) {
    throw new HttpError('validation_error', 'Highrise-Version must be a date, YYYY-MM-DD', [
      { field: 'header.Highrise-Version', issue: 'must be a date, YYYY-MM-DD' },
    ]);
  }
  // A date that names no version is refused, not rounded: the client would otherwise get shapes it
  // was not written for (a future date from a newer SDK, a typo) without being told.
  if (!SUPPORTED_VERSIONS.includes(value)) {
    throw new HttpError('api_version_unknown', `Highrise-Version ${value} is not a version of this API; supported: ${SUPPORTED_VERSIONS.join(', ')}`, [
      { field: 'header.Highrise-Version', issue: `must be one of ${SUPPORTED_VERSIONS.join(', ')}` },
    ]);
  }
  return value;
}

/** The shims from the latest version back to `version`, newest first. */
function shimsFor(version: string): ApiVersion['previous'][] {
  return API_VERSIONS.filter((v) => v.version > version && v.previous !== undefined)
    .reverse()
    .map((v) => v.previous);
}

function walk(value: unknown, shim: NonNullable<ApiVersion['previous']>): unknown {
  if (Array.isArray(value)) return value.map((item) => walk(item, shim));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, walk(v, shim)] as const);
  const object = Object.fromEntries(entries);
  const type = object.object;
  const render = typeof type === 'string' ? shim[type] : undefined;
  return render ? render(object) : object;
}

/** A response body (already in the latest version's shape) as `version` shows it. */
export function renderForVersion(version: string, body: unknown): unknown {
  if (version === LATEST_VERSION) return body;
  let rendered = body;
  for (const shim of shimsFor(version)) if (shim) rendered = walk(rendered, shim);
  return rendered;
}
