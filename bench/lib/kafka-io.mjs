/**
 * The harness's own Kafka traffic through @confluentinc/kafka-javascript (librdkafka): creating topics, pre-loading
 * input, pacing input for the latency runs, and watching output topics. Nothing here is timed as a contender except
 * through the ceiling rows (ceiling.mjs).
 */
import kafkaModule from '@confluentinc/kafka-javascript';
import { call } from './call.mjs';

export const Kafka = kafkaModule;

export async function createTopics(bootstrap, topics) {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap, 'client.id': 'bench-admin', log_level: 3 });
  try {
    for (const t of topics) {
      await call((cb) =>
        admin.createTopic({ topic: t.name, num_partitions: t.partitions ?? 1, replication_factor: 1, config: t.config ?? {} }, 30_000, cb),
      );
    }
  } finally {
    admin.disconnect();
  }
}

/** Deletes every topic named in `names` or starting with one of `prefixes` (a run's output and internal topics). */
export async function deleteTopics(bootstrap, { names = [], prefixes = [] }) {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap, 'client.id': 'bench-admin', log_level: 3 });
  try {
    const existing = await call((cb) => admin.listTopics({ timeout: 30_000 }, cb));
    const doomed = existing.filter((t) => names.includes(t) || prefixes.some((p) => t.startsWith(p)));
    for (const t of doomed) await call((cb) => admin.deleteTopic(t, 30_000, cb));
    return doomed;
  } finally {
    admin.disconnect();
  }
}

/** Output topics stamp records with the broker's append time, so "when did the output land" is read off the record. */
export const APPEND_TIME = { 'message.timestamp.type': 'LogAppendTime' };

export async function connectProducer(bootstrap, extra = {}) {
  const producer = new Kafka.Producer({
    'bootstrap.servers': bootstrap,
    'client.id': 'bench-producer',
    acks: 'all',
    'linger.ms': 10,
    'batch.num.messages': 10_000,
    'batch.size': 1_000_000,
    'queue.buffering.max.messages': 1_000_000,
    'queue.buffering.max.kbytes': 1_048_576,
    'socket.nagle.disable': true,
    // The Java producer's partitioner, so keys land where a Kafka Streams application's own writes would put them.
    partitioner: 'murmur2_random',
    log_level: 3,
    ...extra,
  });
  await call((cb) => producer.connect({ timeout: 30_000 }, cb));
  producer.setPollInBackground(true);
  return producer;
}

const QUEUE_FULL = -184;

/** Sends records 0..count-1 of `recordAt(i)` to `topic` and waits for every acknowledgement. */
export async function produceAll(producer, topic, count, recordAt) {
  for (let i = 0; i < count; i++) {
    const r = recordAt(i);
    for (;;) {
      try {
        producer.produce(topic, null, r.value, r.key, r.timestamp ?? null);
        break;
      } catch (err) {
        if (err?.code !== QUEUE_FULL) throw err;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }
  await call((cb) => producer.flush(120_000, cb));
}

export async function disconnectProducer(producer) {
  await new Promise((resolve) => producer.disconnect(30_000, () => resolve()));
}

/**
 * Reads `topic` (all partitions, read_committed, from offset 0) until `expected` records arrived, the deadline passed
 * or `stop()` was called. Tracks the earliest and latest append times (over all partitions); `onRecord(message)` sees
 * each.
 */
export async function watchOutput(bootstrap, topic, partitions, expected, { deadline, onRecord, onProgress } = {}) {
  const consumer = new Kafka.KafkaConsumer({
    'bootstrap.servers': bootstrap,
    'group.id': `bench-watch-${topic}`,
    'client.id': `bench-watch-${topic}`,
    'enable.auto.commit': false,
    'isolation.level': 'read_committed',
    'fetch.wait.max.ms': 20,
    'socket.nagle.disable': true,
    log_level: 3,
  }, { 'auto.offset.reset': 'earliest' });
  await call((cb) => consumer.connect({ timeout: 30_000 }, cb));
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
  consumer.setDefaultConsumeTimeout(100);
  consumer.setDefaultIsTimeoutOnlyForFirstMessage?.(true);
  const state = { count: 0, firstTs: undefined, lastTs: undefined, stopped: false, timedOut: false };
  const stop = () => {
    state.stopped = true;
  };
  const done = (async () => {
    try {
      while (state.count < expected && !state.stopped) {
        if (deadline !== undefined && Date.now() > deadline) {
          state.timedOut = true;
          break;
        }
        const batch = await call((cb) => consumer.consume(10_000, cb));
        for (const m of batch) {
          state.count++;
          if (state.firstTs === undefined || m.timestamp < state.firstTs) state.firstTs = m.timestamp;
          if (state.lastTs === undefined || m.timestamp > state.lastTs) state.lastTs = m.timestamp;
          onRecord?.(m);
        }
        if (batch.length > 0) onProgress?.(state.count);
      }
    } finally {
      await new Promise((resolve) => consumer.disconnect(() => resolve()));
    }
    return state;
  })();
  return { state, stop, done };
}
