/**
 * `Content-Disposition: attachment` for a stored file name (RFC 6266). Header values must be bytes,
 * so a name outside printable ASCII cannot go into `filename="…"` as it is: Node refuses to send it
 * and the download fails with a 500. The quoted `filename` is therefore an ASCII stand-in (anything
 * else, and quotes and backslashes, become `_`), and the real name travels percent-encoded as UTF-8
 * in `filename*` (RFC 5987 / 8187), which every current browser prefers when both are present.
 */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/gu, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(filename)}`;
}

/** Percent-encodes everything but RFC 5987's attr-char; a lone surrogate becomes U+FFFD first (encodeURIComponent would throw). */
function rfc5987(value: string): string {
  const wellFormed = value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return encodeURIComponent(wellFormed).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
