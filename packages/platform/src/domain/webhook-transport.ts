import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { WebhookFailure } from '@highrise/sdk/schemas';
import { guardedLookup, webhookUrlProblem, type WebhookDestinationPolicy } from './webhook-destinations';

/**
 * Why an attempt did not get a 2xx: the generic class the tenant sees in the delivery log, and the
 * raw detail (socket error code, resolved address) that only the operator's log gets. Showing a
 * tenant ECONNREFUSED versus a timeout per port is what made the log a port scanner.
 */
export class WebhookAttemptFailed extends Error {
  constructor(
    readonly failure: WebhookFailure,
    readonly detail: string,
    readonly statusCode: number | null = null,
  ) {
    super(`${failure}: ${detail}`);
    this.name = 'WebhookAttemptFailed';
  }
}

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  policy: WebhookDestinationPolicy;
  timeoutMs: number;
  /** Aborting it (a shutdown) rejects with the signal's reason rather than a WebhookAttemptFailed. */
  signal: AbortSignal;
}

/**
 * POSTs one delivery and resolves with the receiver's 2xx status. Built on node:http(s) rather than
 * fetch because the socket's `lookup` is where the resolved address can be checked before the
 * connection is made (undici's own `connect` option would do the same, but undici is not a
 * dependency). Redirects are not followed: a 3xx is an answer (`http_error`), never a new
 * destination.
 */
export function postWebhook(post: WebhookPost): Promise<number> {
  // Also the only check a literal IP gets: the socket does not call `lookup` for one.
  const problem = webhookUrlProblem(post.url, post.policy);
  if (problem) return Promise.reject(new WebhookAttemptFailed('destination_forbidden', problem));
  const url = new URL(post.url);
  const timeout = AbortSignal.timeout(post.timeoutMs);
  const signal = AbortSignal.any([post.signal, timeout]);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const fail = (error: Error & { code?: string }) => {
      if (post.signal.aborted) return reject(post.signal.reason);
      if (timeout.aborted) return reject(new WebhookAttemptFailed('timeout', `no answer within ${post.timeoutMs} ms`));
      if (error.code === 'ERR_WEBHOOK_DESTINATION_FORBIDDEN') return reject(new WebhookAttemptFailed('destination_forbidden', error.message));
      reject(new WebhookAttemptFailed('connection_failed', error.code ?? error.message));
    };
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...post.headers, 'Content-Length': String(Buffer.byteLength(post.body)) },
        lookup: guardedLookup(post.policy) as never,
        // A fresh connection each time: a pooled socket would outlive the check of its address.
        agent: false,
        signal,
      },
      (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        // Only the status matters; drop the body and the connection.
        response.destroy();
        if (status >= 200 && status <= 299) resolve(status);
        else reject(new WebhookAttemptFailed('http_error', `HTTP ${status}`, status));
      },
    );
    req.on('error', fail);
    req.end(post.body);
  });
}
