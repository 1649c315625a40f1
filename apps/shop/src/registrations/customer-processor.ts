/**
 * The customer stage of the registration service: a task per partition of `registration-commands` (keyed by
 * customer id) that owns each customer's record and runs that customer's commands one at a time (a command that
 * arrives while another is waiting for its claims is queued behind it):
 * - REGISTER claims the email, then the username (the value stages answer on `registration-replies`); ACCEPTED once
 *   both hold, REJECTED naming the attribute otherwise (a half claim is released by the username stage);
 * - CHANGE_EMAIL claims the new email first and releases the old one only once the new one is held, so the customer
 *   holds both for a moment and never neither; two customers never hold one value;
 * - DELETE removes the customer and then releases both claims.
 * Every decision is one `registration-events` record.
 */
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord } from '@tributary/streams';
import { z } from 'zod';
import type { ClaimReply, StageOutput } from './messages.js';
import { normaliseEmail, RegistrationCommandSchema, type RegistrationCommand, type RegistrationEvent } from './schemas.js';

export const CUSTOMERS_STORE = 'registration-customers';
export const PENDING_STORE = 'registration-pending';

/** A registered customer and the commands whose claims hold its email and username. */
export const RegisteredSchema = z.object({
  email: z.string(),
  username: z.string(),
  emailClaim: z.string(),
  usernameClaim: z.string(),
});
export type Registered = z.infer<typeof RegisteredSchema>;

/** The command waiting for its claims, and those queued behind it. */
export const PendingSchema = z.object({ active: RegistrationCommandSchema, queue: z.array(RegistrationCommandSchema) });
export type Pending = z.infer<typeof PendingSchema>;

export type CustomerInput = { readonly kind: 'command'; readonly command: RegistrationCommand } | { readonly kind: 'reply'; readonly reply: ClaimReply };

export class CustomerProcessor implements Processor<string, CustomerInput, string, StageOutput> {
  private context!: ProcessorContext<string, StageOutput>;
  private customers!: KeyValueStore<string, Registered>;
  private pending!: KeyValueStore<string, Pending>;
  private timestamp = 0;

  init(context: ProcessorContext<string, StageOutput>): void {
    this.context = context;
    this.customers = context.getStateStore<KeyValueStore<string, Registered>>(CUSTOMERS_STORE);
    this.pending = context.getStateStore<KeyValueStore<string, Pending>>(PENDING_STORE);
  }

  process(record: StreamRecord<string, CustomerInput>): void {
    const input = record.value;
    if (input === null) return;
    this.timestamp = record.timestamp;
    if (input.kind === 'command') {
      const { command } = input;
      const waiting = this.pending.get(command.customerId);
      if (waiting !== null) {
        this.pending.put(command.customerId, { ...waiting, queue: [...waiting.queue, command] });
        return;
      }
      this.runFrom(command, []);
      return;
    }
    const { reply } = input;
    const waiting = this.pending.get(reply.customerId);
    // Only the active command's claims are ever answered; anything else is a stray (never expected).
    if (waiting === null || waiting.active.commandId !== reply.commandId) return;
    this.complete(waiting.active, reply);
    const [next, ...rest] = waiting.queue;
    if (next === undefined) this.pending.delete(reply.customerId);
    else this.runFrom(next, rest);
  }

  /** Starts `command`; commands decided at once let the next queued one start too. */
  private runFrom(first: RegistrationCommand, queue: RegistrationCommand[]): void {
    let command: RegistrationCommand | undefined = first;
    let rest = queue;
    while (command !== undefined) {
      if (this.start(command)) {
        this.pending.put(command.customerId, { active: command, queue: rest });
        return;
      }
      [command, ...rest] = rest;
    }
    this.pending.delete(first.customerId);
  }

  /** Decides `command` at once (false) or sends its first claim and waits for the answer (true). */
  private start(command: RegistrationCommand): boolean {
    const current = this.customers.get(command.customerId);
    switch (command.type) {
      case 'REGISTER':
        if (current !== null) return this.decided(command, 'REJECTED', `customer ${command.customerId} is already registered`, current);
        this.emit(normaliseEmail(command.email), { to: 'email', message: { op: 'CLAIM', command, thenUsername: true } });
        return true;
      case 'CHANGE_EMAIL':
        if (current === null) return this.decided(command, 'REJECTED', `customer ${command.customerId} is not registered`);
        if (normaliseEmail(command.email) === normaliseEmail(current.email)) {
          this.customers.put(command.customerId, { ...current, email: command.email.trim() });
          return this.decided(command, 'ACCEPTED', undefined, { ...current, email: command.email.trim() });
        }
        this.emit(normaliseEmail(command.email), { to: 'email', message: { op: 'CLAIM', command, thenUsername: false } });
        return true;
      case 'DELETE':
        if (current === null) return this.decided(command, 'REJECTED', `customer ${command.customerId} is not registered`);
        // Gone first, released after: nobody else can hold the values before this customer stops holding them.
        this.customers.delete(command.customerId);
        this.release(command.customerId, 'email', normaliseEmail(current.email), current.emailClaim);
        this.release(command.customerId, 'username', current.username, current.usernameClaim);
        return this.decided(command, 'ACCEPTED', undefined, current);
    }
  }

  private complete(command: RegistrationCommand, reply: ClaimReply): void {
    if (!reply.ok) {
      this.decided(command, 'REJECTED', reply.reason ?? 'claim refused', this.customers.get(command.customerId) ?? undefined);
      return;
    }
    if (command.type === 'REGISTER') {
      const registered: Registered = { email: command.email.trim(), username: command.username, emailClaim: command.commandId, usernameClaim: command.commandId };
      this.customers.put(command.customerId, registered);
      this.decided(command, 'ACCEPTED', undefined, registered);
      return;
    }
    const current = this.customers.get(command.customerId);
    if (current === null) {
      // Deleted meanwhile cannot happen (commands of one customer run one at a time); release the claim all the same.
      this.release(command.customerId, 'email', normaliseEmail(command.email), command.commandId);
      this.decided(command, 'REJECTED', `customer ${command.customerId} is not registered`);
      return;
    }
    const changed: Registered = { ...current, email: command.email.trim(), emailClaim: command.commandId };
    this.customers.put(command.customerId, changed);
    this.release(command.customerId, 'email', normaliseEmail(current.email), current.emailClaim);
    this.decided(command, 'ACCEPTED', undefined, changed);
  }

  private release(customerId: string, attribute: 'email' | 'username', value: string, commandId: string): void {
    this.emit(value, { to: attribute, message: { op: 'RELEASE', customerId, commandId } });
  }

  /** Writes the command's event; returns false (nothing to wait for). */
  private decided(command: RegistrationCommand, status: RegistrationEvent['status'], reason?: string, customer?: Registered): false {
    const event: RegistrationEvent = {
      commandId: command.commandId,
      customerId: command.customerId,
      status,
      ...(reason !== undefined ? { reason } : {}),
      email: status === 'ACCEPTED' && customer !== undefined ? customer.email : command.email,
      username: status === 'ACCEPTED' && customer !== undefined ? customer.username : command.username,
      type: command.type,
    };
    this.emit(command.customerId, { to: 'events', event });
    return false;
  }

  private emit(key: string, value: StageOutput): void {
    this.context.forward({ key, value, timestamp: this.timestamp, headers: {} });
  }
}
