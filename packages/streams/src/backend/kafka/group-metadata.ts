import type { ConsumerGroupMetadata } from '../port.js';
import type { NativeKafkaConsumer } from './native.js';

/**
 * librdkafka's `sendOffsetsToTransaction` needs the consumer itself (it reads member id and generation from it),
 * while the port passes plain group metadata. Each metadata object a consumer hands out is linked back to it here.
 */
interface MetadataOwner {
  readonly handle: NativeKafkaConsumer;
}

const owners = new WeakMap<ConsumerGroupMetadata, MetadataOwner>();

export function registerGroupMetadata(metadata: ConsumerGroupMetadata, owner: MetadataOwner): void {
  owners.set(metadata, owner);
}

export function consumerForGroupMetadata(metadata: ConsumerGroupMetadata): NativeKafkaConsumer | undefined {
  return owners.get(metadata)?.handle;
}
