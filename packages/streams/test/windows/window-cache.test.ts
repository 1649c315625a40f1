/**
 * The record cache of windowed aggregations through the test driver (which flushes after each input record, as
 * Kafka's): updates of a window within one record coalesce, and with the cache on or off the windows end with the
 * same values, suppressed and emit-final output included.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmitStrategy } from '../../src/dsl/emit-strategy.js';
import type { KTable } from '../../src/dsl/ktable.js';
import type { KStream } from '../../src/dsl/kstream.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../src/dsl/suppressed.js';
import { SessionWindows, SlidingWindows, TimeWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import type { Windowed } from '../../src/state/store.js';
import { TopologyTestDriver, type TestDriverConfig } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const L = Serdes.long();

interface Run {
  /** Each output record as `key@start/end=value@timestamp`. */
  readonly out: string[];
  readonly suppressed: string[];
  /** The store's windows as `key@start=value`. */
  readonly stored: string[];
}

type Count = (words: KStream<string, string>, caching: boolean) => KTable<Windowed<string>, number>;

/** Lines are split into words, so one input record updates a window once per word. */
function run(count: Count, lines: ReadonlyArray<[string, string, number]>, caching: boolean, config: Partial<TestDriverConfig> = {}, sizeMs = 10): Run {
  const b = new StreamsBuilder();
  const words = b.stream<string, string>('lines', { keySerde: S, valueSerde: S }).flatMapValues((line) => line.split(' '));
  const table = count(words, caching);
  table.toStream().to('out', { valueSerde: L });
  table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('suppressed', { valueSerde: L });
  const driver = new TopologyTestDriver(b.build(), { applicationId: 'window-cache', ...config }, 0);
  try {
    const input = driver.createInputTopic('lines', S, S);
    for (const [key, line, ts] of lines) input.pipeInput(key, line, ts);
    const serde = WindowedSerdes.timeWindowed(S, sizeMs);
    const read = (topic: string): string[] =>
      driver
        .createOutputTopic(topic, serde, L)
        .readRecordsToList()
        .map((r) => `${r.key?.key}@${r.key?.window.start}/${r.key?.window.end}=${r.value}@${r.timestamp}`);
    const stored = [...driver.getWindowStore<string, number>('counts').all()].map((e) => `${e.key.key}@${e.key.window.start}=${e.value}`);
    return { out: read('out'), suppressed: read('suppressed'), stored };
  } finally {
    driver.close();
  }
}

/** The last value output for each window: what a table reading the output holds. */
function finals(out: ReadonlyArray<string>): Map<string, string> {
  const last = new Map<string, string>();
  for (const record of out) {
    const [window, value] = record.split('=') as [string, string];
    last.set(window, value);
  }
  return last;
}

const tumbling: Count = (words, caching) => words.groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ storeName: 'counts', caching, retentionMs: 1000 });

/** Deterministic input: a few keys, timestamps moving forward with some disorder, lines of one to four words. */
function lines(count: number): Array<[string, string, number]> {
  let seed = 7;
  const random = (below: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    // The high bits: the low bits of this generator repeat with short periods.
    return Math.floor((seed / 2_147_483_648) * below);
  };
  const out: Array<[string, string, number]> = [];
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: 1 + random(4) }, (_, w) => `w${w}`);
    out.push([`k${random(3)}`, words.join(' '), Math.max(0, i * 2 - random(12))]);
  }
  return out;
}

describe('window store record cache in windowed aggregations', () => {
  it('coalesces the updates of each window within one input record; without the cache every update goes out', () => {
    const input: Array<[string, string, number]> = [
      ['k', 'a b c', 1],
      ['k', 'd', 2],
      ['j', 'e f', 3],
      ['k', 'g h', 12],
    ];
    assert.deepEqual(run(tumbling, input, true).out, ['k@0/10=3@1', 'k@0/10=4@2', 'j@0/10=2@3', 'k@10/20=2@12']);
    const every = ['k@0/10=1@1', 'k@0/10=2@1', 'k@0/10=3@1', 'k@0/10=4@2', 'j@0/10=1@3', 'j@0/10=2@3', 'k@10/20=1@12', 'k@10/20=2@12'];
    assert.deepEqual(run(tumbling, input, false).out, every);
    assert.deepEqual(run(tumbling, input, true, { statestoreCacheMaxBytes: 0 }).out, every, 'a zero-byte cache is no cache');
    // Each entry costs more than one byte: every write is evicted, and so forwarded, at once.
    assert.deepEqual(run(tumbling, input, true, { statestoreCacheMaxBytes: 1 }).out, every, 'a tiny cache evicts each update');
  });

  it('hopping windows flush in the order the record last wrote them', () => {
    const hopping: Count = (words, caching) => words.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5)).count({ storeName: 'counts', caching });
    assert.deepEqual(run(hopping, [['k', 'a b', 7]], true).out, ['k@0/10=2@7', 'k@5/15=2@7']);
  });

  it('time windows: the same final counts, suppressed results and store with the cache on as off', () => {
    const input = lines(300);
    const on = run(tumbling, input, true);
    const off = run(tumbling, input, false);
    assert.ok(on.out.length < off.out.length, `${on.out.length} coalesced updates, ${off.out.length} without the cache`);
    assert.deepEqual(finals(on.out), finals(off.out));
    assert.ok(off.suppressed.length > 10);
    assert.deepEqual(on.suppressed, off.suppressed);
    assert.deepEqual(on.stored, off.stored);
  });

  it('sliding windows: the same final values and store with the cache on as off', () => {
    const sliding: Count = (words, caching) => words.groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(6, 20)).count({ storeName: 'counts', caching });
    const input = lines(200);
    const on = run(sliding, input, true, {}, 6);
    const off = run(sliding, input, false, {}, 6);
    assert.ok(on.out.length < off.out.length);
    assert.deepEqual(finals(on.out), finals(off.out));
    assert.deepEqual(on.suppressed, off.suppressed);
    assert.deepEqual(on.stored, off.stored);
  });

  it('emit on window close reads the final results through the cache: the same output as without it', () => {
    const final: Count = (words, caching) =>
      words.groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).emitStrategy(EmitStrategy.onWindowClose()).count({ storeName: 'counts', caching, retentionMs: 1000 });
    const input = lines(300);
    const on = run(final, input, true);
    const off = run(final, input, false);
    assert.ok(off.out.length > 10);
    assert.deepEqual(on.out, off.out);
    assert.deepEqual(on.stored, off.stored);
  });

  it('old values come from the last flush: a regrouping of the windowed table ends as without the cache', () => {
    const regrouped = (caching: boolean): string[] => {
      const b = new StreamsBuilder();
      b.stream<string, string>('lines', { keySerde: S, valueSerde: S })
        .flatMapValues((line) => line.split(' '))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .count({ storeName: 'counts', caching })
        // How many windows hold each count: needs the old count of a window to take it back.
        .groupBy((window, n) => [String(n), window.key], { keySerde: S, valueSerde: S })
        .count({ storeName: 'per-count' })
        .toStream()
        .to('per-count', { keySerde: S, valueSerde: L });
      const driver = new TopologyTestDriver(b.build(), { applicationId: 'window-cache-old' }, 0);
      try {
        const input = driver.createInputTopic('lines', S, S);
        for (const [key, line, ts] of lines(150)) input.pipeInput(key, line, ts);
        return [...driver.getKeyValueStore<string, number>('per-count').all()].map((e) => `${e.key}=${e.value}`);
      } finally {
        driver.close();
      }
    };
    const on = regrouped(true);
    assert.ok(on.length > 1);
    assert.deepEqual(on, regrouped(false));
  });

  it('session windows: merges flush as tombstones and the merged session; the same results with the cache on as off', () => {
    const sessions = (caching: boolean, input: ReadonlyArray<[string, string, number]>): Run => {
      const b = new StreamsBuilder();
      const table = b
        .stream<string, string>('lines', { keySerde: S, valueSerde: S })
        .flatMapValues((line) => line.split(' '))
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 10))
        .count({ storeName: 'counts', caching });
      table.toStream().to('out', { valueSerde: L });
      table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('suppressed', { valueSerde: L });
      const driver = new TopologyTestDriver(b.build(), { applicationId: 'session-cache' }, 0);
      try {
        const topic = driver.createInputTopic('lines', S, S);
        for (const [key, line, ts] of input) topic.pipeInput(key, line, ts);
        const serde = WindowedSerdes.sessionWindowed(S);
        const read = (name: string): string[] =>
          driver
            .createOutputTopic(name, serde, L)
            .readRecordsToList()
            .map((r) => `${r.key?.key}@${r.key?.window.start}/${r.key?.window.end}=${r.value}@${r.timestamp}`);
        const stored = [...driver.getSessionStore<string, number>('counts').all()].map((e) => `${e.key.key}@${e.key.window.start}/${e.key.window.end}=${e.value}`);
        return { out: read('out'), suppressed: read('suppressed'), stored };
      } finally {
        driver.close();
      }
    };
    // Two words open [1,1] and count it twice (coalesced); the record at 4 merges it into [1,4].
    assert.deepEqual(sessions(true, [['k', 'a b', 1], ['k', 'c', 4]]).out, ['k@1/1=2@1', 'k@1/1=null@1', 'k@1/4=3@4']);
    const input = lines(300);
    const on = sessions(true, input);
    const off = sessions(false, input);
    assert.ok(on.out.length < off.out.length, `${on.out.length} coalesced updates, ${off.out.length} without the cache`);
    assert.deepEqual(finals(on.out), finals(off.out));
    assert.ok(off.suppressed.length > 10);
    assert.deepEqual(on.suppressed, off.suppressed);
    assert.deepEqual(on.stored, off.stored);
  });
});
