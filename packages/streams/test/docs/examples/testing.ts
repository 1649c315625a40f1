/** The testing guide's example: a punctuator on wall-clock time, driven by the test driver's clock. */
import { Serdes, Topology, type Processor, type ProcessorContext, type StreamRecord } from '@tributary/streams';
import { TopologyTestDriver } from '@tributary/streams/testing';

/** Counts records and reports the count every 10 seconds of wall-clock time. */
class Heartbeat implements Processor<string, string, string, number> {
  private seen = 0;

  init(context: ProcessorContext<string, number>): void {
    context.schedule(10_000, 'WALL_CLOCK_TIME', (timestamp) => {
      context.forward({ key: 'seen', value: this.seen, timestamp, headers: {} });
    });
  }

  process(_record: StreamRecord<string, string>): void {
    this.seen += 1;
  }
}

export function heartbeats(): Array<number | null> {
  const topology = new Topology()
    .addSource('in', 'events', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .addProcessor('heartbeat', () => new Heartbeat(), 'in')
    .addSink('out', 'heartbeats', 'heartbeat', { keySerde: Serdes.string(), valueSerde: Serdes.long() });
  const driver = new TopologyTestDriver(topology, { applicationId: 'testing-guide' }, 0);
  try {
    const events = driver.createInputTopic('events', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic('heartbeats', Serdes.string(), Serdes.long());
    events.pipeInput('k', 'a');
    events.pipeInput('k', 'b');
    driver.advanceWallClockTime(10_000); // the punctuator fires once
    events.pipeInput('k', 'c');
    driver.advanceWallClockTime(10_000); // and again
    return output.readValuesToList();
  } finally {
    driver.close();
  }
}
