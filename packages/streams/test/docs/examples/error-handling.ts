/** The error-handling guide's example: a record that cannot be read is skipped, not fatal, and counted. */
import { Serdes, StreamsBuilder, type ErrorHandler } from '@tributary/streams';
import { TopologyTestDriver } from '@tributary/streams/testing';

interface Reading {
  readonly celsius: number;
}

export function skipPoisonPills(): { output: Array<number | null>; skipped: string[] } {
  const skipped: string[] = [];
  // Decides per failed record: 'continue' skips it (and it is counted as dropped), 'fail' stops the app.
  const onBadRecord: ErrorHandler = (error, context) => {
    skipped.push(`${context.topic}@${context.offset}: ${error.name}`);
    return 'continue';
  };

  const builder = new StreamsBuilder();
  builder
    .stream<string, Reading>('readings', { keySerde: Serdes.string(), valueSerde: Serdes.json<Reading>() })
    .mapValues((reading) => reading.celsius * 1.8 + 32)
    .to('fahrenheit', { keySerde: Serdes.string(), valueSerde: Serdes.double() });

  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'errors-guide', deserializationExceptionHandler: onBadRecord });
  try {
    // Raw bytes, so the second record can be something the JSON serde cannot read.
    const raw = driver.createInputTopic('readings', Serdes.string(), Serdes.string());
    raw.pipeInput('s1', '{"celsius":20}');
    raw.pipeInput('s1', 'not json');
    raw.pipeInput('s1', '{"celsius":100}');
    return { output: driver.createOutputTopic('fahrenheit', Serdes.string(), Serdes.double()).readValuesToList(), skipped };
  } finally {
    driver.close();
  }
}
