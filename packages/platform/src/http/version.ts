import { HttpError } from './errors';

/** API versions, oldest first. A request names a date; it gets the newest version on or before it. */
export const SUPPORTED_VERSIONS = ['2026-11-01'] as const;
export const LATEST_VERSION = SUPPORTED_VERSIONS.at(-1)!;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/** The version a request is served with; a date before the first version is refused, not guessed. */
export function resolveVersion(header: string | undefined): string {
  if (header === undefined) return LATEST_VERSION;
  const value = header.trim();
  if (!isRealDate(value)) {
    throw new HttpError('validation_error', 'Highrise-Version must be a date, YYYY-MM-DD', [
      { field: 'header.Highrise-Version', issue: 'must be a date, YYYY-MM-DD' },
    ]);
  }
  const version = [...SUPPORTED_VERSIONS].reverse().find((v) => v <= value);
  if (!version) {
    throw new HttpError('validation_error', `Highrise-Version ${value} predates the first version, ${SUPPORTED_VERSIONS[0]}`, [
      { field: 'header.Highrise-Version', issue: `must be ${SUPPORTED_VERSIONS[0]} or later` },
    ]);
  }
  return version;
}
