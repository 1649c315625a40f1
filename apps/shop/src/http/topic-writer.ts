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

  /** Writes bytes as they are (`null`: a tombstone), e.g. changes another service prepared; acknowledged likewise. */
  async writeRaw(topic: string, records: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    assertApiWrite(topic);
    for (const { key, value } of records) this.producer.send({ topic, key, value });
    await this.producer.flush();
  }

  /** Writes every record, then waits once for all of them to be acknowledged. */
  async writeAll<V>(topic: string, valueSerde: Serde<V>, records: ReadonlyArray<{ key: string; value: V }>): Promise<void> {
    assertApiWrite(topic);
    for (const { key, value } of records) this.producer.send({ topic, key: serdes.key.serialize(topic, key), value: valueSerde.serialize(topic, value) });
    await this.producer.flush();
  }

  /** Appends a tombstone (null value) for `key`: a delete on a compacted topic. */
  async writeTombstone(topic: string, key: string): Promise<void> {
    assertApiWrite(topic);
    this.producer.send({ topic, key: serdes.key.serialize(topic, key), value: null });
    await this.producer.flush();
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
