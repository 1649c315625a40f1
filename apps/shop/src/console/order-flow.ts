/**
 * One business key followed through the topics of a flow (for the shop: an order from POST to VALIDATED or
 * FAILED): every record whose key is the id, or whose value names it as `id`/`orderId`.
 *
 * Two views, because record timestamps cannot time a flow: Kafka Streams gives an output record its input's
 * timestamp, so everything derived from one order carries the order's timestamp. `followKey` reads history (each
 * topic from its start, bounded per partition; an operator's tool, not a query path) ordered by timestamp;
 * `watchKey` tails the topics from their ends and stamps each record with the wall-clock time it became readable,
 * which times every hop from the POST to the outcome.
 */
import type { Backend, ConsumedRecord } from '@tributary/streams';
import { recordView, TopicReader, UnknownConsoleTopic, type RecordView } from './topic-reader.js';

export interface FlowStep extends RecordView {
  /** Milliseconds since the first record of the flow. */
  readonly sinceStartMs: number;
}

export interface Flow {
  readonly id: string;
  readonly steps: ReadonlyArray<FlowStep>;
  /** End to end: last timestamp minus first. */
  readonly totalMs: number;
}

export async function followKey(backend: Backend, topics: ReadonlyArray<string>, id: string): Promise<Flow> {
  const reader = new TopicReader(backend);
  const about = mentionsOf(id);
  const views: RecordView[] = [];
  for (const topic of topics) {
    let records;
    try {
      records = await reader.scan(topic, {});
    } catch (error) {
      if (error instanceof UnknownConsoleTopic) continue;
      throw error;
    }
    for (const r of records) if (about(r)) views.push(recordView(r));
  }
  views.sort((a, b) => a.timestamp - b.timestamp || a.topic.localeCompare(b.topic) || a.offset - b.offset);
  const start = views[0]?.timestamp ?? 0;
  const steps = views.map((v) => ({ ...v, sinceStartMs: v.timestamp - start }));
  return { id, steps, totalMs: steps.length > 0 ? (steps[steps.length - 1]?.sinceStartMs ?? 0) : 0 };
}

function mentionsOf(id: string): (record: ConsumedRecord) => boolean {
  const mentions = [`"id":${JSON.stringify(id)}`, `"orderId":${JSON.stringify(id)}`];
  return (r) => r.key?.toString('utf8') === id || mentions.some((m) => (r.value?.toString('utf8') ?? '').includes(m));
}

export interface WatchedStep extends RecordView {
  /** Wall-clock time (epoch ms) the console read the record. */
  readonly seenAt: number;
  /** Milliseconds since the watch started. */
  readonly sinceWatchMs: number;
}

/**
 * Tails `topics` from their current ends and calls `onStep` for each record about `id`, until `stop` says the flow
 * ended (e.g. the order reached its outcome), `signal` aborts, or `maxMs` pass. `onReady` is called once the
 * consumer is positioned: records written after that are seen.
 */
export async function watchKey(
  backend: Backend,
  topics: ReadonlyArray<string>,
  id: string,
  options: { onReady: () => void; onStep: (step: WatchedStep) => void; stop: (step: WatchedStep) => boolean; signal: AbortSignal; maxMs: number },
): Promise<void> {
  const admin = backend.admin();
  let counts: Map<string, number>;
  try {
    counts = await admin.describeTopics(topics);
  } finally {
    await admin.close();
  }
  const consumer = await backend.createConsumer({ clientId: 'tributary-console-watch', isolationLevel: 'read_committed', autoOffsetReset: 'latest' });
  try {
    const partitions = [...counts].flatMap(([topic, n]) => Array.from({ length: n }, (_, partition) => ({ topic, partition })));
    const ends = await consumer.endOffsets(partitions);
    await consumer.assign(ends);
    const start = Date.now();
    options.onReady();
    const about = mentionsOf(id);
    while (!options.signal.aborted && Date.now() - start < options.maxMs) {
      for (const r of await consumer.poll(100, 100)) {
        if (!about(r)) continue;
        const seenAt = Date.now();
        const step = { ...recordView(r), seenAt, sinceWatchMs: seenAt - start };
        options.onStep(step);
        if (options.stop(step)) return;
      }
    }
  } finally {
    await consumer.close();
  }
}
