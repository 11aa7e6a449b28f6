// The README's webhook receiver, word for word below this comment (test/readme.test.ts checks that,
// and runs it against a real platform). With a tenant's key:
//   HIGHRISE_BASE_URL=http://localhost:8080 HIGHRISE_API_KEY=<tenant admin key> TENANT_ID=ten_… \
//   RECEIVER_URL=https://hooks.example.com/highrise PORT=3000 node packages/examples/dist/webhook-receiver.js
import { createServer } from 'node:http';
import { Highrise, isKnownWebhookEvent, verifyWebhook, WebhookVerificationError } from '@highrise/sdk';

const hr = new Highrise(); // HIGHRISE_API_KEY and HIGHRISE_BASE_URL from the environment
const endpoint = await hr.tenant(process.env.TENANT_ID!).webhookEndpoints.create({
  url: process.env.RECEIVER_URL!, // where the server below is reached, e.g. https://hooks.example.com/highrise
  enabledEvents: ['extension.created', 'port_order.completed'],
});
const secret = endpoint.secret; // whsec_…, shown this once (and again only by rotateSecret)

// The receiver verifies the raw body, not re-serialised JSON. verifyWebhook also runs in browsers and workers (WebCrypto).
const server = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    const event = await verifyWebhook(Buffer.concat(chunks), request.headers['highrise-signature'], secret, { toleranceSeconds: 300 });
    // Events of a type newer than this SDK verify too: acknowledge them, never answer 400.
    if (isKnownWebhookEvent(event) && event.type === 'extension.created') console.log('new extension', event.data.number);
    response.writeHead(204).end();
  } catch (error) {
    // error.reason says why. Only a bad signature gets a 4xx; the platform retries any non-2xx.
    response.writeHead(error instanceof WebhookVerificationError ? 400 : 500).end();
  }
});
server.listen(Number(process.env.PORT ?? 3000), () => console.log('receiving webhooks on port', (server.address() as { port: number }).port));
