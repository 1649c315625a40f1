/** The windows guide's example: clicks per user in tumbling one-minute windows with a grace period. */
import { Serdes, StreamsBuilder, TimeWindows } from '@tributary/streams';
import { TopologyTestDriver } from '@tributary/streams/testing';

const MINUTE = 60_000;

export function clicksPerMinute(): Array<{ key: string | null; value: number | null }> {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('clicks', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 10_000))
    .count({ storeName: 'clicks-per-minute' })
    // The key is Windowed<string>: the user and the window's bounds.
    .toStream((windowed) => `${windowed.key}@${windowed.window.start / MINUTE}`)
    .to('click-counts', { keySerde: Serdes.string(), valueSerde: Serdes.long() });

  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'windows-guide' });
  try {
    const clicks = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
    clicks.pipeInput('ann', '/home', 5_000);
    clicks.pipeInput('ann', '/cart', 20_000);
    clicks.pipeInput('bob', '/home', 61_000);
    clicks.pipeInput('ann', '/pay', 65_000);
    clicks.pipeInput('ann', '/late', 55_000); // out of order but within the grace period: counted in window 0
    clicks.pipeInput('bob', '/x', 200_000); // stream time moves past window 1's grace
    clicks.pipeInput('bob', '/too-late', 100_000); // window 1 is closed: dropped and counted as dropped
    return driver.createOutputTopic('click-counts', Serdes.string(), Serdes.long()).readKeyValuesToList();
  } finally {
    driver.close();
  }
}
