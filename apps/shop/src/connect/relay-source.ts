import type { ConnectorState } from './session-loop.js';

/** What the rest of an app sees of an outbox relay, whichever way it reads the outbox. */
export type RelayState = ConnectorState;

export interface RelaySource {
  readonly state: RelayState;
  /** Why the relay is WAITING, when it is. */
  readonly failure: string | undefined;
  /** The last published source position, as text (an LSN, or `txid/id` for the polling relay). */
  readonly position: string | undefined;
  start(): void;
  close(): Promise<void>;
}
