/** The DSL guide's example: stateless operations, a grouping and a count, run on the test driver. */
import { Serdes, StreamsBuilder, type KeyValue } from '@tributary/streams';
import { TopologyTestDriver } from '@tributary/streams/testing';

export function wordCount(lines: string[]): Array<KeyValue<string | null, number | null>> {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('text', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/))
    .filter((_key, word) => word.length > 0)
    .groupBy((_key, word) => word, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .count({ storeName: 'word-counts' })
    .toStream()
    .to('word-counts', { keySerde: Serdes.string(), valueSerde: Serdes.long() });

  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'dsl-guide' });
  try {
    const input = driver.createInputTopic('text', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic('word-counts', Serdes.string(), Serdes.long());
    for (const line of lines) input.pipeInput(null, line);
    return output.readKeyValuesToList();
  } finally {
    driver.close();
  }
}
