/**
 * One business key followed through the topics of a flow (for the shop: an order from POST to VALIDATED or
 * FAILED): every record whose key is the id, or whose value names it as `id`/`orderId`, ordered by timestamp, each
 * with the time since the first. Reads each topic from its start (bounded per partition): an operator's tool, not a
 * query path.
 */
import type { Backend } from '@tributary/streams';
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
  const mentions = [`"id":${JSON.stringify(id)}`, `"orderId":${JSON.stringify(id)}`];
  const views: RecordView[] = [];
  for (const topic of topics) {
    let records;
    try {
      records = await reader.scan(topic, {});
    } catch (error) {
      if (error instanceof UnknownConsoleTopic) continue;
      throw error;
    }
    for (const r of records) {
      const value = r.value?.toString('utf8') ?? '';
      if (r.key?.toString('utf8') === id || mentions.some((m) => value.includes(m))) views.push(recordView(r));
    }
  }
  views.sort((a, b) => a.timestamp - b.timestamp || a.topic.localeCompare(b.topic) || a.offset - b.offset);
  const start = views[0]?.timestamp ?? 0;
  const steps = views.map((v) => ({ ...v, sinceStartMs: v.timestamp - start }));
  return { id, steps, totalMs: steps.length > 0 ? (steps[steps.length - 1]?.sinceStartMs ?? 0) : 0 };
}
