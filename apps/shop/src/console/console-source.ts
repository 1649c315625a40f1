/**
 * What the console reads: the streams applications of this process and the log they run on. It knows nothing of
 * the shop, so any Tributary application can feed it (`shopConsoleSource` is the shop's adapter).
 */
import type { Backend, KafkaStreams, Logger, TopologyDescription } from '@tributary/streams';

export interface ConsoleApplication {
  /** The name the operator knows the app by (the shop's service name). */
  readonly name: string;
  readonly applicationId: string;
  readonly topology: TopologyDescription;
  /** The instance running now (supervisors replace it after a failure), or undefined before it started. */
  streams(): KafkaStreams | undefined;
  /** Fresh instances started after failures, when a supervisor keeps count. */
  restarts(): number;
  /** Why the app last failed, while it has not run again. */
  failure(): { readonly reason: string; readonly at: number } | undefined;
}

export interface ConsoleSource {
  readonly backend: Backend;
  /** Where console actions (redrives) are logged. */
  readonly logger: Logger;
  applications(): ReadonlyArray<ConsoleApplication>;
  /** The dead-letter topic of an application, if it has one. */
  deadLetterTopic(applicationId: string): string | undefined;
  /** Topics an order (or any business key) passes through, in the order of its flow (the flow screen). */
  readonly flowTopics: ReadonlyArray<string>;
}
