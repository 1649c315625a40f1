/**
 * Which topology and application id a `KafkaStreams` instance runs. The library keeps both private (Kafka's
 * `KafkaStreams` does not hand its topology out either), so whoever creates an app records them here for the
 * console; a WeakMap lets replaced apps be collected.
 */
import type { KafkaStreams, TopologyDescription } from '@tributary/streams';

export interface AppIdentity {
  readonly applicationId: string;
  readonly topology: TopologyDescription;
}

const identities = new WeakMap<KafkaStreams, AppIdentity>();

export function rememberApp(app: KafkaStreams, identity: AppIdentity): KafkaStreams {
  identities.set(app, identity);
  return app;
}

export function identityOf(app: KafkaStreams): AppIdentity | undefined {
  return identities.get(app);
}
