/**
 * What `TopologyTestDriver.metrics()` returns: the summary fields of `KafkaStreams.metrics()` that apply to the
 * driver, and, as the entries of a Map, the same counts under Kafka Streams' metric names (`dropped-records-total`,
 * `dropped-records-rate`, `process-total`, `process-rate`), so that tests ported from Kafka's can look them up by
 * name. Rates are per second of the driver's (mock) wall-clock time, over at least Kafka's 30 s sample window.
 */
/** Kafka's default `metrics.sample.window.ms`: a rate is never taken over less time than that. */
const SAMPLE_WINDOW_MS = 30_000;

export class TestDriverMetrics extends Map<string, number> {
  /** Records processed: piped input, fed-back (repartition) and global records. */
  readonly processedRecords: number;
  /** Records dropped, per reason (late records, null keys, records skipped by error handlers). */
  readonly droppedRecords: Readonly<Record<string, number>>;
  readonly droppedRecordsTotal: number;
  readonly tasks: ReadonlyArray<string>;

  constructor(processedRecords: number, dropped: ReadonlyMap<string, number>, tasks: ReadonlyArray<string>, elapsedMs: number) {
    const droppedRecordsTotal = [...dropped.values()].reduce((a, b) => a + b, 0);
    const seconds = Math.max(elapsedMs, SAMPLE_WINDOW_MS) / 1000;
    super([
      ['process-total', processedRecords],
      ['process-rate', processedRecords / seconds],
      ['dropped-records-total', droppedRecordsTotal],
      ['dropped-records-rate', droppedRecordsTotal / seconds],
    ]);
    this.processedRecords = processedRecords;
    this.droppedRecords = Object.fromEntries(dropped);
    this.droppedRecordsTotal = droppedRecordsTotal;
    this.tasks = tasks;
  }
}
