import { z } from 'zod';

/*
 * The platform's internal routing endpoint for the Kamailio edge (issue 10;
 * docs/decisions/2026-12-01-kamailio-edge.md): for each new INVITE, Kamailio POSTs a
 * SipRoutingRequest to `<platform>/internal/sip/route` with `Authorization: Bearer <edge secret>`,
 * and executes the SipRoutingDecision it gets back: a `route` decision is an rtjson document
 * (Kamailio's `rtjson` module reads `version`, `routing` and `routes` and ignores the rest), a
 * `reject` decision is answered with its status and a Reason header. The dial plan stays in the
 * platform's domain code; the edge never decides where a call goes.
 */

export const SipRoutingRequest = z
  .strictObject({
    tenantId: z.string().meta({ description: 'The tenant whose SIP domain the caller authenticated in (the edge read it from domain_attrs)' }),
    callId: z.string().max(255),
    source: z.enum(['extension', 'trunk']).meta({ description: 'What authenticated: an extension or one of the tenant\'s trunks' }),
    from: z.string().max(64).meta({ description: 'The authenticated username (an extension number or a trunk username)', example: '102' }),
    to: z.string().max(64).meta({ description: 'The Request-URI user as dialled', example: '101' }),
    domain: z.string().max(253).meta({ description: "The tenant's SIP domain (caller and callee domain are the same; the edge refused anything else)", example: 'acme.sip.localhost' }),
  })
  .meta({ id: 'SipRoutingRequest' });
export type SipRoutingRequest = z.infer<typeof SipRoutingRequest>;

/** One branch: an AOR in the tenant's domain (the edge resolves it through usrloc) with optional per-branch timers. */
export const SipRoutingBranch = z
  .object({
    uri: z.string().startsWith('sip:').meta({ example: 'sip:101@acme.sip.localhost' }),
    /**
     * rtjson's names: how long this branch may go without a final answer, in ms, after a provisional
     * (`fr_inv_timer`) and before one (`fr_timer`). A serial ring group gives each member both, its
     * ring time: setting only the first leaves Kamailio's default final-response timer in charge.
     */
    fr_inv_timer: z.number().int().min(1000).max(600_000).optional(),
    fr_timer: z.number().int().min(1000).max(600_000).optional(),
    headers: z
      .object({
        extra: z.string().optional().meta({ description: 'Extra header lines for the branch, CRLF-terminated' }),
      })
      .optional(),
  })
  .meta({ id: 'SipRoutingBranch' });
export type SipRoutingBranch = z.infer<typeof SipRoutingBranch>;

export const SipRoutingDecision = z
  .discriminatedUnion('action', [
    z.object({
      action: z.literal('route'),
      version: z.literal('1.0'),
      routing: z.enum(['serial', 'parallel']),
      routes: z.array(SipRoutingBranch).min(1).max(32),
      /** Set when the call leaves on one of the tenant's trunks (rtjson ignores it; the edge's script applies it). */
      trunk: z
        .object({
          dialString: z.string().regex(/^[A-Za-z0-9+*#._-]{1,64}$/).meta({ description: 'The Request-URI user the carrier gets, after the rule\'s strip/prepend' }),
          callerId: z.string().regex(/^\+?[0-9]{1,20}$/).meta({ description: 'The number presented (From and P-Asserted-Identity): a DID the tenant holds' }),
        })
        .optional(),
    }),
    z.object({
      action: z.literal('reject'),
      status: z.number().int().min(400).max(699),
      // Becomes a reason phrase and a quoted Reason header: no quotes, backslashes or control characters.
      reason: z.string().min(1).max(128).regex(/^[^"\\\x00-\x1f\x7f]+$/).meta({ example: 'Not Found' }),
    }),
  ])
  .meta({ id: 'SipRoutingDecision' });
export type SipRoutingDecision = z.infer<typeof SipRoutingDecision>;

/**
 * How a call the edge routed ended, posted by Kamailio to `<platform>/internal/sip/call-record` (same
 * edge secret): an answered call when its dialog ends, an unanswered one when its last branch failed
 * or the caller cancelled, and one refused at the edge's channel limit. The platform stores it as the
 * call record (`calls.list`, usage, analytics), as the embedded edge does. Calls the dial plan
 * refused are recorded by the platform when it answers the routing request.
 */
const EpochSeconds = z.number().min(1_000_000_000).max(10_000_000_000).meta({ description: 'Seconds since 1970 (fractions allowed), as Kamailio\'s $TV(Sn)' });
export const SipCallEnded = z
  .strictObject({
    tenantId: z.string().max(64),
    callId: z.string().max(255),
    from: z.string().max(64),
    to: z.string().max(64),
    direction: z.enum(['internal', 'inbound', 'outbound']),
    startedAt: EpochSeconds,
    answeredAt: EpochSeconds.nullable(),
    endedAt: EpochSeconds,
    sipStatus: z.number().int().min(200).max(699).meta({ description: 'The final status the caller got (200 for an answered call)' }),
    cancelled: z.boolean().default(false).meta({ description: 'The caller gave up before an answer' }),
    limit: z.boolean().default(false).meta({ description: "Refused at the tenant's channel limit" }),
  })
  .meta({ id: 'SipCallEnded' });
export type SipCallEnded = z.infer<typeof SipCallEnded>;
