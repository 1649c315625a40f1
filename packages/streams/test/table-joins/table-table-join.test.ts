/** KTable-KTable joins on the key: which updates produce results, tombstones and timestamps. */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** Pipes the same sequence of updates through an inner, a left and an outer join and returns each one's output. */
function run(): Record<'inner' | 'left' | 'outer', Array<string | null>> {
  const b = new StreamsBuilder();
  const l = b.table<string, string>('left', { keySerde: S, valueSerde: S });
  const r = b.table<string, string>('right', { keySerde: S, valueSerde: S });
  l.join(r, (a, x, k) => `${k}:${a}-${x}`).toStream().to('inner', { keySerde: S, valueSerde: S });
  l.leftJoin(r, (a, x, k) => `${k}:${a}-${x ?? 'null'}`).toStream().to('left-out', { keySerde: S, valueSerde: S });
  l.outerJoin(r, (a, x, k) => `${k}:${a ?? 'null'}-${x ?? 'null'}`).toStream().to('outer', { keySerde: S, valueSerde: S });
  driver = new TopologyTestDriver(b.build(), { applicationId: 'tt' }, 0);
  const left = driver.createInputTopic('left', S, S);
  const right = driver.createInputTopic('right', S, S);
  left.pipeInput('k', 'A', 1);
  right.pipeInput('k', 'a', 2);
  left.pipeInput('k', 'B', 3);
  right.pipeInput('k', null, 4);
  left.pipeInput('k', null, 5);
  right.pipeInput('k', 'b', 6);
  const read = (t: string): Array<string | null> => driver?.createOutputTopic(t, S, S).readValuesToList() ?? [];
  return { inner: read('inner'), left: read('left-out'), outer: read('outer') };
}

describe('table-table joins', () => {
  it('inner, left and outer joins emit what Kafka Streams emits for the same updates', () => {
    const out = run();
    assert.deepEqual(out.inner, ['k:A-a', 'k:B-a', null]);
    assert.deepEqual(out.left, ['k:A-null', 'k:A-a', 'k:B-a', 'k:B-null', null]);
    assert.deepEqual(out.outer, ['k:A-null', 'k:A-a', 'k:B-a', 'k:B-null', null, 'k:null-b']);
  });

  it('deleting a key that neither table holds emits nothing (left and outer joins too)', () => {
    const b = new StreamsBuilder();
    const l = b.table<string, string>('l', { keySerde: S, valueSerde: S });
    const r = b.table<string, string>('r', { keySerde: S, valueSerde: S });
    l.join(r, (a, x) => `${a}-${x}`).toStream().to('inner', { keySerde: S, valueSerde: S });
    l.leftJoin(r, (a, x) => `${a}-${x ?? 'null'}`).toStream().to('left-out', { keySerde: S, valueSerde: S });
    l.outerJoin(r, (a, x) => `${a ?? 'null'}-${x ?? 'null'}`).toStream().to('outer', { keySerde: S, valueSerde: S });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'tt' }, 0);
    const left = driver.createInputTopic('l', S, S);
    const right = driver.createInputTopic('r', S, S);
    left.pipeInput('gone', null, 1);
    right.pipeInput('gone', null, 2);
    left.pipeInput('k', 'A', 3);
    left.pipeInput('k', null, 4);
    left.pipeInput('k', null, 5);
    const read = (t: string): Array<[string | null, string | null]> =>
      driver?.createOutputTopic(t, S, S).readKeyValuesToList().map((kv) => [kv.key, kv.value] as [string | null, string | null]) ?? [];
    assert.deepEqual(read('inner'), []);
    assert.deepEqual(read('left-out'), [['k', 'A-null'], ['k', null]]);
    assert.deepEqual(read('outer'), [['k', 'A-null'], ['k', null]]);
  });

  it('the result carries the larger timestamp of the two sides', () => {
    const b = new StreamsBuilder();
    const l = b.table<string, string>('l', { keySerde: S, valueSerde: S });
    const r = b.table<string, string>('r', { keySerde: S, valueSerde: S });
    l.join(r, (a, x) => a + x).toStream().to('o', { keySerde: S, valueSerde: S });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'tt' }, 0);
    driver.createInputTopic('r', S, S).pipeInput('k', 'x', 100);
    driver.createInputTopic('l', S, S).pipeInput('k', 'a', 50);
    assert.deepEqual(driver.createOutputTopic('o', S, S).readRecordsToList().map((x) => [x.value, x.timestamp]), [['ax', 100]]);
  });
});
