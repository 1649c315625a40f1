/**
 * What `TopologyTestDriver.metrics()` returns: the summary fields of `KafkaStreams.metrics()` that apply to the
 * driver, and, as the entries of a Map, the same counts under Kafka Streams' metric names (`dropped-records-total`,
 * `process-total`), so that tests ported from Kafka's can look them up by name.
 */
export class TestDriverMetrics extends Map<string, number> {
  /** Records processed: piped input, fed-back (repartition) and global records. */
  readonly processedRecords: number;
  /** Records dropped, per reason (late records, null keys, records skipped by error handlers). */
  readonly droppedRecords: Readonly<Record<string, number>>;
  readonly droppedRecordsTotal: number;
  readonly tasks: ReadonlyArray<string>;

  constructor(processedRecords: number, dropped: ReadonlyMap<string, number>, tasks: ReadonlyArray<string>) {
    const droppedRecordsTotal = [...dropped.values()].reduce((a, b) => a + b, 0);
    super([
      ['process-total', processedRecords],
      ['dropped-records-total', droppedRecordsTotal],
    ]);
    this.processedRecords = processedRecords;
    this.droppedRecords = Object.fromEntries(dropped);
    this.droppedRecordsTotal = droppedRecordsTotal;
    this.tasks = tasks;
  }
}
