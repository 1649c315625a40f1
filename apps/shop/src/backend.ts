/** Chooses the log the shop runs on: Kafka when bootstrap servers are configured, else the durable embedded log. */
import { createEmbeddedBackend, createKafkaBackend, type Backend } from '@tributary/streams';
import type { ShopConfig } from './config.js';

export async function openBackend(config: Pick<ShopConfig, 'kafkaBootstrapServers' | 'kafkaSecurity' | 'logDir' | 'logTopicDefaults'>): Promise<Backend> {
  return config.kafkaBootstrapServers !== undefined
    ? createKafkaBackend({
        bootstrapServers: config.kafkaBootstrapServers,
        ...(config.kafkaSecurity !== undefined ? { security: config.kafkaSecurity } : {}),
      })
    : createEmbeddedBackend({ dataDir: config.logDir, topicDefaults: config.logTopicDefaults });
}
