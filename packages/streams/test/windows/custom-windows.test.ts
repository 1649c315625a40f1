/** User-defined windows: a `Windows<TimeWindow>` subclass drives a windowed aggregation; anything else is refused. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { SlidingWindows, TimeWindow, Windows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const L = Serdes.long();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Days that start at `startHour` UTC (as the kafka-streams-examples' DailyTimeWindows does in a time zone). */
class DailyTimeWindows extends Windows<TimeWindow> {
  constructor(
    private readonly startHour: number,
    private readonly graceMs: number,
  ) {
    super();
  }

  windowsFor(timestamp: number): Map<number, TimeWindow> {
    const offset = this.startHour * HOUR;
    const start = Math.floor((timestamp - offset) / DAY) * DAY + offset;
    return new Map([[start, new TimeWindow(start, start + DAY)]]);
  }

  size(): number {
    return DAY;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}

describe('custom windows', () => {
  it('a Windows subclass aggregates per its own windows, with its grace period', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(new DailyTimeWindows(6, HOUR))
      .count({ storeName: 'daily' })
      .toStream()
      .to('out', { keySerde: WindowedSerdes.timeWindowed(S, DAY), valueSerde: L });
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'daily' }, 0);
    try {
      const input = driver.createInputTopic('in', S, S);
      input.pipeInput('a', 'x', 5 * HOUR); // day starting at -18h
      input.pipeInput('a', 'x', 7 * HOUR); // day starting at 6h
      input.pipeInput('a', 'x', 29 * HOUR); // still the day starting at 6h (ends at 30h)
      input.pipeInput('a', 'x', 30 * HOUR + HOUR / 2); // day starting at 30h
      input.pipeInput('a', 'x', 30 * HOUR - 1); // the 6h day ended at 30h but is within its 1h grace: counted
      input.pipeInput('a', 'x', 6 * HOUR - 1); // the -18h day closed at 7h: dropped as late
      input.pipeInput('a', 'x', 31 * HOUR); // stream time 31h closes the 6h day (end 30h + 1h grace)
      input.pipeInput('a', 'x', 30 * HOUR - 2); // so this one is dropped
      const out = driver
        .createOutputTopic('out', WindowedSerdes.timeWindowed(S, DAY), L)
        .readKeyValuesToList()
        .map((kv) => `${(kv.key?.window.start ?? 0) / HOUR}h=${kv.value}`);
      assert.deepEqual(out, ['-18h=1', '6h=1', '6h=2', '30h=1', '6h=3', '30h=2']);
      assert.equal(driver.getWindowStore<string, number>('daily')?.fetch('a', 6 * HOUR), 3);
    } finally {
      driver.close();
    }
  });

  it('anything that is neither a known window kind nor shaped like Windows is a clear error', () => {
    const grouped = new StreamsBuilder().stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey();
    assert.throws(() => grouped.windowedBy({ sizeMs: 10 } as unknown as SlidingWindows), /windowedBy\(\) takes TimeWindows, SlidingWindows, SessionWindows or a subclass of Windows/);
    class Broken extends Windows<TimeWindow> {
      windowsFor(): Map<number, TimeWindow> {
        return new Map();
      }
      size(): number {
        return Number.NaN;
      }
      gracePeriodMs(): number {
        return 0;
      }
    }
    assert.throws(() => grouped.windowedBy(new Broken()).count(), /Windows\.size\(\) must return a non-negative integer/);
  });
});
