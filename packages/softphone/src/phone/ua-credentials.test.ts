import { describe, expect, test } from 'vitest';
import { UserAgent } from 'sip.js/lib/api/user-agent.js';
import type { OutgoingRequestMessage } from 'sip.js/lib/core/messages/outgoing-request-message.js';
import { md5 } from './md5';
import { renewCredentials } from './ua-credentials';

describe('renewCredentials', () => {
  test('the live UserAgent answers the next challenge with the new credentials', () => {
    const ua = new UserAgent({ uri: UserAgent.makeURI('sip:101@acme.sip.localhost'), authorizationUsername: 'old', authorizationPassword: 'old-pw', transportOptions: { server: 'ws://127.0.0.1:9/' }, logLevel: 'error' });
    renewCredentials(ua, '2000000000:101.ext_1@acme.sip.localhost', 'new-pw');
    // What sip.js does on a 401: a DigestAuthentication from the core's factory, then the header.
    const auth = ua.userAgentCore.configuration.authenticationFactory()!;
    const request = { method: 'REGISTER', ruri: 'sip:acme.sip.localhost' } as unknown as OutgoingRequestMessage;
    expect(auth.authenticate(request, { realm: 'acme.sip.localhost', nonce: 'n0nce' })).toBe(true);
    const header = auth.toString();
    expect(header).toContain('username="2000000000:101.ext_1@acme.sip.localhost"');
    const ha1 = md5('2000000000:101.ext_1@acme.sip.localhost:acme.sip.localhost:new-pw');
    expect(header).toContain(`response="${md5(`${ha1}:n0nce:${md5('REGISTER:sip:acme.sip.localhost')}`)}"`);
  });
});
