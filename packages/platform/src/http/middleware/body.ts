import { IncomingMessage } from 'node:http';
import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import type { HttpContext, HttpEnv } from '../env';
import { HttpError } from '../errors';
import { parseJsonBody } from '../validation';

/** Request bodies are small JSON documents; anything bigger is refused before parsing. */
export const MAX_BODY_BYTES = 1_000_000;

/** Over the limit; for JSON also a body that does not parse (a `validation_error` on the field `body`). */
export const jsonBodyErrors = ['payload_too_large', 'validation_error'] as const satisfies readonly ErrorCode[];
export const uploadErrors = ['payload_too_large'] as const satisfies readonly ErrorCode[];

const tooLarge = (limit: number) => new HttpError('payload_too_large', `request bodies here are limited to ${limit} bytes`);

/**
 * The body's bytes, counted while they arrive: a chunked body (no Content-Length) is refused as soon
 * as it passes the limit instead of being buffered whole first. The unread rest is left to the Node
 * adapter, which drains it briefly after the response and then closes the connection.
 */
export async function readBytes(c: HttpContext, limit: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('Content-Length') ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const incoming = incomingOf(c);
  if (incoming) return readIncoming(incoming, limit);
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.releaseLock();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Node's request stream, when the app is served by @hono/node-server and nothing has read the body
 * through the web Request yet. Reading it directly skips building an undici Request and a web stream
 * around it, which cost more than the read itself (about 2 ms for a batch's 60 KB).
 */
function incomingOf(c: HttpContext): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming instanceof IncomingMessage && !incoming.readableDidRead && !incoming.readableEnded ? incoming : undefined;
}

/** The same limit on Node's stream: past it, reading stops (the adapter drains the rest after the answer). */
export function readIncoming(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        incoming.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    // Closed before its end: the client went away mid-body.
    const onClose = () => onError(new Error('the request was aborted before its body ended'));
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/** A JSON body: read within the limit and parsed (validation against the route's schema comes later, in validate.ts). */
export const jsonBody = (): MiddlewareHandler<HttpEnv> => async (c, next) => {
  const bytes = await readBytes(c, MAX_BODY_BYTES);
  c.set('bytes', bytes);
  c.set('json', parseJsonBody(new TextDecoder().decode(bytes)));
  await next();
};

/**
 * A raw file upload: its bytes are read here so that they count in the idempotency fingerprint; the
 * handler reads them again from a request re-made around them.
 */
export const uploadBody = (maxBytes: number): MiddlewareHandler<HttpEnv> => async (c, next) => {
  const bytes = await readBytes(c, maxBytes);
  c.set('bytes', bytes);
  c.set('request', new Request(c.req.raw.url, { method: c.req.method, headers: c.req.raw.headers, body: bytes }));
  await next();
};
