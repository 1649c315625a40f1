/**
 * Registrations with unique emails and usernames (system-spec.md). Commands and events are keyed by customer id;
 * the claims that make an attribute unique travel on the registration service's own topics, keyed by the value
 * claimed, so one task decides each value.
 */
import { z } from 'zod';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH, wellFormedText } from '../schemas.js';

export const REGISTRATION_TYPES = ['REGISTER', 'CHANGE_EMAIL', 'DELETE'] as const;
export const RegistrationTypeSchema = z.enum(REGISTRATION_TYPES);
export type RegistrationType = z.infer<typeof RegistrationTypeSchema>;

export const RegistrationCommandSchema = z.object({
  commandId: z.string().min(1),
  customerId: z.string().min(1),
  email: z.string(),
  username: z.string(),
  type: RegistrationTypeSchema,
});
export type RegistrationCommand = z.infer<typeof RegistrationCommandSchema>;

export const RegistrationEventSchema = z.object({
  commandId: z.string().min(1),
  customerId: z.string().min(1),
  status: z.enum(['ACCEPTED', 'REJECTED']),
  reason: z.string().optional(),
  email: z.string(),
  username: z.string(),
  /** Added to the spec's shape: which command this decides (readers need not look the command up). */
  type: RegistrationTypeSchema.optional(),
});
export type RegistrationEvent = z.infer<typeof RegistrationEventSchema>;

/** Emails are compared trimmed and case-insensitively (the whole address: a deliberate, simple rule). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `POST /v1/registrations` body: email and username are required except for DELETE. */
export const NewRegistrationSchema = z
  .object({
    customerId: wellFormedText(MAX_ID_LENGTH, 1),
    email: wellFormedText(MAX_TEXT_LENGTH).optional(),
    username: wellFormedText(MAX_ID_LENGTH).optional(),
    type: RegistrationTypeSchema.default('REGISTER'),
  })
  .superRefine((r, ctx) => {
    if (r.type === 'DELETE') return;
    if (r.email === undefined || normaliseEmail(r.email) === '' || !/^[^@\s]+@[^@\s]+$/.test(r.email.trim())) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'must be an email address (name@domain)' });
    }
    if (r.type === 'REGISTER' && (r.username === undefined || r.username === '')) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'must not be empty' });
    }
  });
export type NewRegistration = z.infer<typeof NewRegistrationSchema>;
