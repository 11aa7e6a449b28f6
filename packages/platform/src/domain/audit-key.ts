import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';

/**
 * The secret that keys the audit chain (HMAC-SHA256). It is never written to the database: someone
 * who can rewrite rows (SQL credentials, a restored or leaked backup, a Kamailio node reading the
 * platform's tables) cannot re-chain what they changed without it. See
 * docs/decisions/2026-12-01-keyed-audit-chain.md.
 */
export interface AuditKey {
  /** Names the key in every hash it made (`hmac-sha256:<id>:…`) without revealing it. */
  id: string;
  secret: Buffer;
}

/** The key file's name in the data directory when the operator names none (PlatformOptions.audit). */
export const DEFAULT_AUDIT_KEY_FILE = 'audit-chain.key';

/** 256 bits: the HMAC is only as strong as a guess at its key. */
export const MIN_AUDIT_KEY_BYTES = 32;

export function auditKeyFrom(secret: string | Uint8Array): AuditKey {
  const bytes = Buffer.from(typeof secret === 'string' ? secret.trim() : secret);
  if (bytes.byteLength < MIN_AUDIT_KEY_BYTES) throw new Error(`the audit key must be at least ${MIN_AUDIT_KEY_BYTES} bytes`);
  return { id: createHmac('sha256', bytes).update('highrise audit key id').digest('hex').slice(0, 16), secret: bytes };
}

/**
 * Reads the key file, or creates it (mode 0600, 32 random bytes as base64url) when it does not exist
 * yet, the way ssh-keygen makes a host key. A file others may read still works, with a warning: a
 * mounted secret is often 0644, and refusing to start would lose the audit log's writer, not protect it.
 */
export function loadAuditKeyFile(path: string, log: (line: string) => void): AuditKey {
  try {
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    log(`generated the audit chain key at ${path}; keep a copy outside this machine (verify needs it)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) log(`warning: the audit chain key ${path} is readable by other users; chmod 600 it`);
  return auditKeyFrom(readFileSync(path, 'utf8'));
}
