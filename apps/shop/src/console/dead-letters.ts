/**
 * Dead letters: the records an app set aside, with the reason Kafka Streams' `__streams.errors.*` headers give, and
 * their redrive — each record written again, as it was read (key, value, its own headers), to the topic it came
 * from (`__streams.errors.topic`), so the app meets it once more after the cause was fixed. The dead letter itself
 * stays where it is: the dead-letter topic is a log, and its history is what an operator audits.
 */
import type { Backend, Logger } from '@tributary/streams';
import { type RecordFilter, type RecordView, TopicReader } from './topic-reader.js';

export const ERROR_HEADER_PREFIX = '__streams.errors.';
const ORIGIN_TOPIC = `${ERROR_HEADER_PREFIX}topic`;
/** Marks a redriven record, so the log of the origin topic tells it from the first delivery. */
export const REDRIVEN_HEADER = '__console.redriven-from';

export interface DeadLetter extends RecordView {
  readonly error: {
    readonly exception?: string | undefined;
    readonly message?: string | undefined;
    readonly topic?: string | undefined;
    readonly partition?: string | undefined;
    readonly offset?: string | undefined;
  };
}

export interface RedriveOutcome {
  readonly redriven: ReadonlyArray<{ readonly partition: number; readonly offset: number; readonly to: string }>;
  /** Asked-for records not redriven, and why (gone from the log, no origin header). */
  readonly skipped: ReadonlyArray<{ readonly partition: number; readonly offset: number; readonly reason: string }>;
}

export function deadLetterView(view: RecordView): DeadLetter {
  const h = view.headers;
  return {
    ...view,
    error: {
      exception: h[`${ERROR_HEADER_PREFIX}exception`],
      message: h[`${ERROR_HEADER_PREFIX}message`],
      topic: h[ORIGIN_TOPIC],
      partition: h[`${ERROR_HEADER_PREFIX}partition`],
      offset: h[`${ERROR_HEADER_PREFIX}offset`],
    },
  };
}

export class DeadLetters {
  private readonly reader: TopicReader;

  constructor(
    private readonly backend: Backend,
    private readonly logger: Logger,
  ) {
    this.reader = new TopicReader(backend);
  }

  async list(topic: string, limit: number, filter: RecordFilter = {}): Promise<DeadLetter[]> {
    return (await this.reader.tail(topic, limit, filter)).map(deadLetterView);
  }

  async redrive(topic: string, positions: ReadonlyArray<{ partition: number; offset: number }>, who: string): Promise<RedriveOutcome> {
    const records = await this.reader.at(topic, positions);
    const found = new Map(records.map((r) => [`${r.partition}:${r.offset}`, r]));
    const redriven: Array<{ partition: number; offset: number; to: string }> = [];
    const skipped: Array<{ partition: number; offset: number; reason: string }> = [];
    const producer = await this.backend.createProducer({ clientId: 'tributary-console-redrive' });
    try {
      for (const { partition, offset } of positions) {
        const record = found.get(`${partition}:${offset}`);
        if (record === undefined) {
          skipped.push({ partition, offset, reason: 'not in the log (deleted or never written)' });
          continue;
        }
        const to = record.headers[ORIGIN_TOPIC]?.toString('utf8');
        if (to === undefined || to === '') {
          skipped.push({ partition, offset, reason: `no ${ORIGIN_TOPIC} header` });
          continue;
        }
        // The error headers described the failure, not the record: the app would otherwise carry them forward.
        const headers = Object.fromEntries(Object.entries(record.headers).filter(([k]) => !k.startsWith(ERROR_HEADER_PREFIX)));
        producer.send({ topic: to, key: record.key, value: record.value, headers: { ...headers, [REDRIVEN_HEADER]: `${topic}/${partition}/${offset}` } });
        redriven.push({ partition, offset, to });
      }
      await producer.flush();
    } finally {
      await producer.close();
    }
    this.logger.info({ deadLetterTopic: topic, redriven, skipped, by: who }, 'console: dead letters redriven');
    return { redriven, skipped };
  }
}
