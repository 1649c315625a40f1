/**
 * Writes the API's records to their topics: one producer for the whole API, and a request answers only once its
 * record is acknowledged (`flush`), so a 201 means the record is in the log.
 */
import type { Producer, Serde } from '@tributary/streams';
import { serdes } from '../topics.js';

export class TopicWriter {
  constructor(private readonly producer: Producer) {}

  async write<V>(topic: string, key: string, valueSerde: Serde<V>, value: V): Promise<void> {
    this.producer.send({ topic, key: serdes.key.serialize(topic, key), value: valueSerde.serialize(topic, value) });
    await this.producer.flush();
  }

  /** Appends a tombstone (null value) for `key`: a delete on a compacted topic. */
  async writeTombstone(topic: string, key: string): Promise<void> {
    this.producer.send({ topic, key: serdes.key.serialize(topic, key), value: null });
    await this.producer.flush();
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
