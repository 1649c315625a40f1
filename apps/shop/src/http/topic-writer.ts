/**
 * Writes the API's records to their topics: one producer for the whole API, and a request answers only once its
 * record is acknowledged (`flush`), so a 201 means the record is in the log.
 *
 * The producer is replaced when an error leaves it unusable (`needsNewClient`): on Kafka, a native call that never
 * answered while a broker was frozen, or one of librdkafka's fatal errors. Without that, one such error turned every
 * later write into a failure until the process restarted (seen: 3,234 POSTs failed fast after a 25 s broker freeze).
 */
import type { Logger, Producer, Serde } from '@tributary/streams';
import { isRetriable, needsNewClient } from '@tributary/streams/backend';
import { serdes } from '../topics.js';
import { assertApiWrite } from '../topic-registry.js';

/**
 * A write the log did not acknowledge for a reason a retry may cure (a broker away, a producer being replaced). The
 * record may or may not be in the log. The server answers 503 with `Retry-After`.
 */
export class WriteUnavailableError extends Error {
  override readonly name = 'WriteUnavailableError';
  readonly statusCode = 503;
}

export class TopicWriter {
  /** The producer in use; undefined while it is being replaced (the next write creates one). */
  private producer: Producer | undefined;
  private creating: Promise<Producer> | undefined;
  /** Producers given up and closing: `close()` waits for them. */
  private readonly retiring = new Set<Promise<void>>();
  private closed = false;
  private replaced = 0;

  private constructor(
    private readonly create: () => Promise<Producer>,
    first: Producer,
    private readonly logger: Logger,
  ) {
    this.producer = first;
  }

  /** Producers that replaced an unusable one so far. */
  get replacements(): number {
    return this.replaced;
  }

  /** Creates the first producer now, so that a log the API cannot reach fails the start rather than the first request. */
  static async start(create: () => Promise<Producer>, logger: Logger): Promise<TopicWriter> {
    return new TopicWriter(create, await create(), logger);
  }

  write<V>(topic: string, key: string, valueSerde: Serde<V>, value: V): Promise<void> {
    assertApiWrite(topic);
    return this.produce((p) => p.send({ topic, key: serdes.key.serialize(topic, key), value: valueSerde.serialize(topic, value) }));
  }

  /** Writes bytes as they are (`null`: a tombstone), e.g. changes another service prepared; acknowledged likewise. */
  writeRaw(topic: string, records: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    assertApiWrite(topic);
    return this.produce((p) => {
      for (const { key, value } of records) p.send({ topic, key, value });
    });
  }

  /** Writes every record, then waits once for all of them to be acknowledged. */
  writeAll<V>(topic: string, valueSerde: Serde<V>, records: ReadonlyArray<{ key: string; value: V }>): Promise<void> {
    assertApiWrite(topic);
    return this.produce((p) => {
      for (const { key, value } of records) p.send({ topic, key: serdes.key.serialize(topic, key), value: valueSerde.serialize(topic, value) });
    });
  }

  /** Appends a tombstone (null value) for `key`: a delete on a compacted topic. */
  writeTombstone(topic: string, key: string): Promise<void> {
    assertApiWrite(topic);
    return this.produce((p) => p.send({ topic, key: serdes.key.serialize(topic, key), value: null }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const producer = this.producer;
    this.producer = undefined;
    // A producer still being created is closed as it arrives (see `current`).
    await this.creating?.catch(() => undefined);
    await Promise.all([producer?.close(), ...this.retiring]);
  }

  private async produce(sendAll: (producer: Producer) => void): Promise<void> {
    const producer = await this.current();
    try {
      sendAll(producer);
      await producer.flush();
    } catch (error) {
      const unusable = needsNewClient(error);
      if (unusable) this.retire(producer, error);
      if (unusable || isRetriable(error)) {
        throw new WriteUnavailableError('The log did not acknowledge the write (it may or may not be in the log); retry shortly', { cause: error });
      }
      throw error;
    }
  }

  private current(): Promise<Producer> {
    if (this.closed) return Promise.reject(new Error('the API writer is closed'));
    if (this.producer !== undefined) return Promise.resolve(this.producer);
    // Requests that arrive while the replacement is created wait for it; if creating fails, the next request tries again.
    this.creating ??= this.create()
      .then(async (producer) => {
        if (this.closed) {
          await producer.close();
          throw new Error('the API writer is closed');
        }
        this.producer = producer;
        this.replaced++;
        return producer;
      })
      .catch((error: unknown) => {
        throw new WriteUnavailableError('No producer for the API: creating one failed; retry shortly', { cause: error });
      })
      .finally(() => {
        this.creating = undefined;
      });
    return this.creating;
  }

  /** Gives `failed` up (once, however many requests saw it fail) and closes it in the background. */
  private retire(failed: Producer, error: unknown): void {
    if (this.producer !== failed) return;
    this.producer = undefined;
    this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'API producer unusable; replacing it');
    const closing = failed
      .close()
      .catch((closeError: unknown) => this.logger.warn({ err: String(closeError) }, 'closing the unusable API producer failed'))
      .finally(() => this.retiring.delete(closing));
    this.retiring.add(closing);
  }
}
