/** KStream operators through the test driver: outputs as Kafka Streams emits them for the same input. */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import type { Topology } from '../../src/topology/topology.js';

const S = Serdes.string();
const I = Serdes.integer();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});
function drive(topology: Topology): TopologyTestDriver {
  driver = new TopologyTestDriver(topology, { applicationId: 'ops' }, 0);
  return driver;
}

describe('stateless KStream operators', () => {
  it('filter, filterNot, mapValues, map and selectKey keep timestamps and headers', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', { keySerde: S, valueSerde: I });
    s.filter((_k, v) => v % 2 === 0).mapValues((v) => v * 10).to('even', { keySerde: S, valueSerde: I });
    s.filterNot((_k, v) => v % 2 === 0).map<string, string>((k, v) => [`${k}!`, String(v)]).to('odd', { keySerde: S, valueSerde: S });
    s.selectKey((_k, v) => `key-${v}`).to('rekeyed', { keySerde: S, valueSerde: I });
    const d = drive(b.build());
    const input = d.createInputTopic('in', S, I);
    input.pipeInput('a', 1, 100, { trace: 'x' });
    input.pipeInput('b', 2, 200);
    const even = d.createOutputTopic('even', S, I).readRecordsToList();
    assert.deepEqual(even.map((r) => [r.key, r.value, r.timestamp]), [['b', 20, 200]]);
    const odd = d.createOutputTopic('odd', S, S).readRecordsToList();
    assert.deepEqual(odd.map((r) => [r.key, r.value, r.timestamp]), [['a!', '1', 100]]);
    assert.equal(String(odd[0]?.headers['trace']), 'x');
    assert.deepEqual(d.createOutputTopic('rekeyed', S, I).readKeyValuesToList(), [
      { key: 'key-1', value: 1 },
      { key: 'key-2', value: 2 },
    ]);
  });

  it('flatMap and flatMapValues emit one record per element, in order', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', { keySerde: S, valueSerde: S });
    s.flatMapValues((v) => v.split(' ')).to('words', { keySerde: S, valueSerde: S });
    s.flatMap<string, string>((k, v) => [...v].map((c, i) => [`${k}${i}`, c] as const)).to('chars', { keySerde: S, valueSerde: S });
    const d = drive(b.build());
    d.createInputTopic('in', S, S).pipeInput('k', 'ab cd', 5);
    assert.deepEqual(d.createOutputTopic('words', S, S).readValuesToList(), ['ab', 'cd']);
    assert.deepEqual(d.createOutputTopic('chars', S, S).readKeyValuesToList().map((r) => `${r.key}=${r.value}`), [
      'k0=a', 'k1=b', 'k2= ', 'k3=c', 'k4=d',
    ]);
  });

  it('peek and foreach see every record; merge interleaves both inputs in arrival order', () => {
    const seen: string[] = [];
    const b = new StreamsBuilder();
    const left = b.stream<string, string>('left', { keySerde: S, valueSerde: S }).peek((k) => seen.push(`peek:${k}`));
    const right = b.stream<string, string>('right', { keySerde: S, valueSerde: S });
    const merged = left.merge(right);
    merged.foreach((k, v) => seen.push(`each:${k}=${v}`));
    merged.to('out', { keySerde: S, valueSerde: S });
    const d = drive(b.build());
    d.createInputTopic('left', S, S).pipeInput('l1', 'a');
    d.createInputTopic('right', S, S).pipeInput('r1', 'b');
    d.createInputTopic('left', S, S).pipeInput('l2', 'c');
    assert.deepEqual(seen, ['peek:l1', 'each:l1=a', 'each:r1=b', 'peek:l2', 'each:l2=c']);
    assert.deepEqual(d.createOutputTopic('out', S, S).readValuesToList(), ['a', 'b', 'c']);
  });

  it('split routes each record to the first matching branch, else to the default branch', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('in', { keySerde: S, valueSerde: I })
      .split({ name: 'size-' })
      .branch((_k, v) => v < 10, 'small')
      .branch((_k, v) => v < 100, 'medium')
      .defaultBranch('large');
    assert.deepEqual(Object.keys(branches).sort(), ['size-large', 'size-medium', 'size-small']);
    for (const [name, stream] of Object.entries(branches)) stream.to(name, { keySerde: S, valueSerde: I });
    const d = drive(b.build());
    const input = d.createInputTopic('in', S, I);
    for (const v of [5, 50, 500, 9]) input.pipeInput('k', v);
    assert.deepEqual(d.createOutputTopic('size-small', S, I).readValuesToList(), [5, 9]);
    assert.deepEqual(d.createOutputTopic('size-medium', S, I).readValuesToList(), [50]);
    assert.deepEqual(d.createOutputTopic('size-large', S, I).readValuesToList(), [500]);
  });

  it('split without a name keys branches by their own names; records matching nothing are dropped', () => {
    const b = new StreamsBuilder();
    const branches = b.stream<string, number>('in', { keySerde: S, valueSerde: I }).split().branch((_k, v) => v > 0, 'positive').noDefaultBranch();
    assert.deepEqual(Object.keys(branches), ['positive']);
    branches['positive']?.to('pos', { keySerde: S, valueSerde: I });
    const d = drive(b.build());
    const input = d.createInputTopic('in', S, I);
    input.pipeInput('a', -1);
    input.pipeInput('b', 1);
    assert.deepEqual(d.createOutputTopic('pos', S, I).readKeyValuesToList(), [{ key: 'b', value: 1 }]);
  });

  it('to() with a topic extractor routes each record by its content (dynamic routing)', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S }).to((_k, v, ctx) => `route-${v}-${ctx.topic}`, { keySerde: S, valueSerde: S });
    const d = drive(b.build());
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('1', 'gold');
    input.pipeInput('2', 'silver');
    input.pipeInput('3', 'gold');
    assert.deepEqual(d.createOutputTopic('route-gold-in', S, S).readKeyValuesToList().map((r) => r.key), ['1', '3']);
    assert.deepEqual(d.createOutputTopic('route-silver-in', S, S).readKeyValuesToList().map((r) => r.key), ['2']);
  });

  it('repartition() goes through <app>-<name>-repartition and starts a new sub-topology', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .selectKey((_k, v) => v)
      .repartition({ name: 'by-value', keySerde: S, valueSerde: S })
      .to('out', { keySerde: S, valueSerde: S });
    const topology = b.build();
    const text = topology.describe().toString();
    assert.match(text, /Sink: by-value-repartition-sink \(topic: by-value-repartition\)/);
    assert.match(text, /Sub-topology: 1\n {4}Source: by-value-repartition-source \(topics: \[by-value-repartition\]\)/);
    const d = drive(topology);
    d.createInputTopic('in', S, S).pipeInput('x', 'v1');
    d.createInputTopic('in', S, S).pipeInput(null, 'v2');
    assert.deepEqual(d.createOutputTopic('out', S, S).readKeyValuesToList(), [
      { key: 'v1', value: 'v1' },
      { key: 'v2', value: 'v2' },
    ]);
    assert.ok(d.producedTopicNames().has('ops-by-value-repartition'));
  });

  it('a repartition drops records whose key is null', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .selectKey((_k, v) => (v === 'none' ? null : v))
      .groupByKey({ keySerde: S })
      .count()
      .toStream()
      .to('out', { keySerde: S, valueSerde: Serdes.long() });
    const d = drive(b.build());
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'none');
    input.pipeInput('k', 'a');
    assert.deepEqual(d.createOutputTopic('out', S, Serdes.long()).readKeyValuesToList(), [{ key: 'a', value: 1 }]);
  });
});
