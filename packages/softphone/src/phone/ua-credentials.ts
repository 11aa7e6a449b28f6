// A phone on the Kamailio edge authenticates with digest credentials that expire with its token; a
// new token brings new ones, and the live UserAgent (its calls, its connection) must use them from
// the next challenge on. sip.js has no setter, but its public `configuration` is the live options
// object, and it reads `authorizationUsername`/`authorizationPassword` from there whenever a
// challenge arrives. That is sip.js behaviour, not contract: ua-credentials.test.ts answers a
// challenge with the real UserAgent and fails if it changes.
import type { UserAgent } from 'sip.js/lib/api/user-agent.js';

export function renewCredentials(ua: UserAgent, username: string | undefined, password: string | undefined): void {
  ua.configuration.authorizationUsername = username ?? '';
  ua.configuration.authorizationPassword = password ?? '';
}
