import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { InvalidReference } from '../errors';

/**
 * `+1 (415) 555-0100` → `+14155550100`. Only international input is accepted: the platform has no
 * country to assume for a bare national number, and an extension suffix (`x12`) is not a DID.
 */
export function normaliseE164(input: string, field: string): string {
  const parsed = input.trim().startsWith('+') ? parsePhoneNumberFromString(input.trim()) : undefined;
  if (!parsed || !parsed.isValid() || parsed.ext) throw new InvalidReference(field, 'must be a valid E.164 number such as +14155550100');
  return parsed.number;
}

/** The E.164 form of `input` when it is one, else undefined: for dialled strings that may or may not be numbers. */
export function asE164(input: string): string | undefined {
  const parsed = /^\+?[0-9]{8,15}$/.test(input) ? parsePhoneNumberFromString(input.startsWith('+') ? input : `+${input}`) : undefined;
  return parsed?.isValid() ? parsed.number : undefined;
}
