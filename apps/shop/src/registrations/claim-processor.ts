/**
 * One value stage of the registration service: a task per partition of the value's topic (keyed by the normalised
 * email, or by the username), so every claim of one value is decided by one task, one at a time, against its store:
 * first claim wins. A CLAIM of a value held by another customer is refused with the attribute named; a free value
 * (or one the same customer holds) is taken. A REGISTER's email claim goes on to the username stage; when the
 * username is refused there, that stage releases the email this command just claimed (no half-claimed registration
 * stays), and the refusal goes back to the customer's stage.
 */
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord } from '@tributary/streams';
import type { Claim, ClaimMessage, StageOutput } from './messages.js';
import { normaliseEmail } from './schemas.js';

export type Attribute = 'email' | 'username';

export const CLAIM_STORES: Record<Attribute, string> = { email: 'email-claims', username: 'username-claims' };

export class ClaimProcessor implements Processor<string, ClaimMessage, string, StageOutput> {
  private context!: ProcessorContext<string, StageOutput>;
  private claims!: KeyValueStore<string, Claim>;

  constructor(private readonly attribute: Attribute) {}

  init(context: ProcessorContext<string, StageOutput>): void {
    this.context = context;
    this.claims = context.getStateStore<KeyValueStore<string, Claim>>(CLAIM_STORES[this.attribute]);
  }

  process(record: StreamRecord<string, ClaimMessage>): void {
    const message = record.value;
    if (message === null) return;
    const holder = this.claims.get(record.key);
    if (message.op === 'RELEASE') {
      if (holder !== null && holder.customerId === message.customerId && holder.commandId === message.commandId) this.claims.delete(record.key);
      return;
    }
    const { command } = message;
    const emit = (key: string, value: StageOutput): void => this.context.forward({ key, value, timestamp: record.timestamp, headers: {} });
    if (holder !== null && holder.customerId !== command.customerId) {
      const shown = this.attribute === 'email' ? command.email.trim() : command.username;
      emit(command.customerId, {
        to: 'replies',
        reply: { commandId: command.commandId, customerId: command.customerId, ok: false, reason: `${this.attribute} ${shown} is already taken` },
      });
      if (this.attribute === 'username') {
        // The email stage claimed the email for this command before sending it here: give it back.
        emit(normaliseEmail(command.email), { to: 'email', message: { op: 'RELEASE', customerId: command.customerId, commandId: command.commandId } });
      }
      return;
    }
    this.claims.put(record.key, { customerId: command.customerId, commandId: command.commandId, email: command.email.trim(), username: command.username });
    if (message.thenUsername && this.attribute === 'email') {
      emit(command.username, { to: 'username', message: { op: 'CLAIM', command, thenUsername: false } });
      return;
    }
    emit(command.customerId, { to: 'replies', reply: { commandId: command.commandId, customerId: command.customerId, ok: true } });
  }
}
