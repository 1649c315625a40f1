/**
 * Writes the API's records to their topics: one producer for the whole API, and a request answers only once its
 * record is acknowledged (`flush`), so a 201 means the record is in the log.
 */
import type { Producer, Serde } from '@tributary/streams';
import { serdes } from '../topics.js';
import { assertApiWrite } from '../topic-registry.js';

export class TopicWriter {
  constructor(private readonly producer: Producer) {}

  async write<V>(topic: string, key: string, valueSerde: Serde<V>, value: V): Promise<void> {
    assertApiWrite(topic);
    this.producer.send({ topic, key: serdes.key.serialize(topic, key), value: valueSerde.serialize(topic, value) });
    await this.producer.flush();
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
