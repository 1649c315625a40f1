/** Which log a `KafkaStreams` instance runs on, and whether closing the instance closes it. */
import type { Backend } from '../backend/port.js';
import { createEmbeddedBackend } from '../backend/embedded/index.js';
import { createKafkaBackend } from '../backend/kafka/index.js';
import type { StreamsConfig } from './config.js';
import type { ThreadHost } from './thread-host.js';

export function streamsBackend(config: StreamsConfig, host: ThreadHost | undefined): { readonly backend: Backend; readonly owned: boolean } {
  // The worker's clients live in the main thread, which owns the backend (and closes what the worker leaves).
  if (host) return { backend: host.backend, owned: false };
  if (config.backend) return { backend: config.backend, owned: false };
  if (config.bootstrapServers) {
    // The Kafka backend loads its native client at its first client (when the app starts), not here, so the
    // embedded path never needs it; bad settings are refused here.
    const backend = createKafkaBackend({
      bootstrapServers: config.bootstrapServers,
      ...(config.clientConfig ? { clientConfig: { ...config.clientConfig } } : {}),
      ...(config.security ? { security: config.security } : {}),
    });
    return { backend, owned: true };
  }
  // Every app in this process without a broker shares one embedded log, so they can talk to each other.
  const backend = createEmbeddedBackend(config.embeddedDataDir !== undefined ? { dataDir: config.embeddedDataDir } : { name: 'tributary-default' });
  return { backend, owned: false };
}
