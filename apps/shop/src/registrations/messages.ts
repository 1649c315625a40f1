/**
 * What the registration service's three stages tell each other on its own topics. Every claim and release names the
 * command that made the claim: a release frees a value only while that very claim holds it, so a late release can
 * never free a value someone (even the same customer, registering again) claimed since.
 */
import { z } from 'zod';
import { RegistrationCommandSchema, type RegistrationEvent } from './schemas.js';

export const ClaimMessageSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('CLAIM'),
    command: RegistrationCommandSchema,
    /** REGISTER: after the email, the username must be claimed too. */
    thenUsername: z.boolean(),
  }),
  z.object({ op: z.literal('RELEASE'), customerId: z.string(), commandId: z.string() }),
]);
export type ClaimMessage = z.infer<typeof ClaimMessageSchema>;

/** A claim's answer, back to the customer's stage (keyed by customer id). */
export const ClaimReplySchema = z.object({
  commandId: z.string(),
  customerId: z.string(),
  ok: z.boolean(),
  reason: z.string().optional(),
});
export type ClaimReply = z.infer<typeof ClaimReplySchema>;

/** Who holds a value (the claims stores; the email claims' changelog is also the by-email lookup). */
export const ClaimSchema = z.object({ customerId: z.string(), commandId: z.string(), email: z.string(), username: z.string() });
export type Claim = z.infer<typeof ClaimSchema>;

/** Where a stage's output goes: each kind to its own topic, keyed as the record says. */
export type StageOutput =
  | { readonly to: 'events'; readonly event: RegistrationEvent }
  | { readonly to: 'email' | 'username'; readonly message: ClaimMessage }
  | { readonly to: 'replies'; readonly reply: ClaimReply };
