/** The Processor API and error handling through the test driver. */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessorContext } from '../../src/api/processor.js';
import type { RecordMetadata } from '../../src/api/record.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { Stores } from '../../src/state/stores.js';
import type { KeyValueStore } from '../../src/state/store.js';
import { ProcessorError } from '../../src/runtime/errors.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { Topology } from '../../src/topology/topology.js';

const S = Serdes.string();
const I = Serdes.integer();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

describe('Processor API', () => {
  it('process() with a store, stream-time and wall-clock punctuation, and record metadata', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('sums'), S, I));
    const metadata: Array<RecordMetadata | undefined> = [];
    const punctuations: string[] = [];
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .process<string, number>(() => {
        let ctx: ProcessorContext<string, number>;
        let store: KeyValueStore<string, number>;
        return {
          init(context) {
            ctx = context;
            store = context.getStateStore<KeyValueStore<string, number>>('sums');
            context.schedule(100, 'STREAM_TIME', (ts) => {
              punctuations.push(`stream@${ts}`);
              for (const { key, value } of store.all()) ctx.forward({ key, value, timestamp: ts, headers: {} });
            });
            context.schedule(1000, 'WALL_CLOCK_TIME', (ts) => punctuations.push(`wall@${ts}`));
          },
          process(record) {
            metadata.push(ctx.recordMetadata());
            store.put(record.key, (store.get(record.key) ?? 0) + record.value);
          },
        };
      }, 'sums')
      .to('out', { keySerde: S, valueSerde: I });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'papi' }, 0);
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('a', 1, 0);
    input.pipeInput('a', 2, 50);
    input.pipeInput('b', 5, 120);
    driver.advanceWallClockTime(1000);
    assert.deepEqual(punctuations, ['stream@0', 'stream@120', 'wall@1000']);
    assert.deepEqual(metadata, [
      { topic: 'in', partition: 0, offset: 0 },
      { topic: 'in', partition: 0, offset: 1 },
      { topic: 'in', partition: 0, offset: 2 },
    ]);
    assert.deepEqual(driver.createOutputTopic('out', S, I).readKeyValuesToList(), [
      { key: 'a', value: 1 },
      { key: 'a', value: 3 },
      { key: 'b', value: 5 },
    ]);
  });

  it('a processor cannot use a store it is not connected to', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('private'), S, I));
    b.stream<string, number>('in', { keySerde: S, valueSerde: I }).process(() => ({
      init(context) {
        context.getStateStore('private');
      },
      process() {},
    }));
    assert.throws(() => new TopologyTestDriver(b.build(), { applicationId: 'papi' }), /has no access to state store "private"/);
  });

  it('a hand-built Topology: sources, processors with named children, sinks and describe()', () => {
    const t = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: I })
      .addProcessor<string, number, string, number>('router', () => {
        let ctx: ProcessorContext<string, number>;
        return {
          init(c) {
            ctx = c;
          },
          process(r) {
            ctx.forward(r, r.value >= 0 ? 'pos-sink' : 'neg-sink');
          },
        };
      }, 'src')
      .addSink('pos-sink', 'positive', 'router', { keySerde: S, valueSerde: I })
      .addSink('neg-sink', 'negative', 'router', { keySerde: S, valueSerde: I });
    assert.equal(
      t.describe().toString(),
      'Topologies:\n   Sub-topology: 0\n' +
        '    Source: src (topics: [in])\n      --> router\n' +
        '    Processor: router (stores: [])\n      --> pos-sink, neg-sink\n      <-- src\n' +
        '    Sink: neg-sink (topic: negative)\n      <-- router\n' +
        '    Sink: pos-sink (topic: positive)\n      <-- router\n\n',
    );
    driver = new TopologyTestDriver(t, { applicationId: 'papi' });
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('a', 1);
    input.pipeInput('b', -1);
    assert.deepEqual(driver.createOutputTopic('positive', S, I).readKeyValuesToList(), [{ key: 'a', value: 1 }]);
    assert.deepEqual(driver.createOutputTopic('negative', S, I).readKeyValuesToList(), [{ key: 'b', value: -1 }]);
  });
});

describe('errors', () => {
  it('a throwing user function fails with an error that names the processor', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .mapValues((v) => {
        if (v === 13) throw new Error('unlucky');
        return v;
      }, { name: 'risky-step' })
      .to('out', { keySerde: S, valueSerde: I });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'errors' });
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('a', 1);
    assert.throws(
      () => input.pipeInput('b', 13),
      (e: unknown) =>
        e instanceof ProcessorError &&
        e.processorName === 'risky-step' &&
        /risky-step.*task 0_0.*unlucky.*Exception caught in process\. taskId=0_0, processor=risky-step, topic=in, partition=0, offset=1/.test(e.message),
    );
  });

  it('a processing exception handler gets the failing record as the failing processor saw it', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .mapValues((v) => v * 10)
      .mapValues(
        (v) => {
          if (v === 130) throw new Error('unlucky');
          return v;
        },
        { name: 'risky-step' },
      )
      .to('out', { keySerde: S, valueSerde: I });
    const seen: Array<Record<string, unknown>> = [];
    driver = new TopologyTestDriver(b.build(), {
      applicationId: 'errors',
      processingExceptionHandler: (error, context) => {
        seen.push({ message: error.message, ...context });
        return 'continue';
      },
    });
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('a', 1, 5);
    input.pipeInput('b', 13, 6, { trace: 'x' });
    input.pipeInput('c', 2, 7);
    assert.deepEqual(driver.createOutputTopic('out', S, I).readValuesToList(), [10, 20]);
    assert.equal(seen.length, 1);
    const [failure] = seen;
    // The user's own error, as Kafka hands its handler the exception the processor threw.
    assert.equal(failure?.message, 'unlucky');
    assert.deepEqual(
      { ...failure, message: undefined },
      {
        message: undefined,
        taskId: '0_0',
        topic: 'in',
        partition: 0,
        offset: 1,
        timestamp: 6,
        processorName: 'risky-step',
        key: 'b',
        value: 130,
        headers: { trace: Buffer.from('x') },
      },
    );
  });

  it('processingExceptionHandler logAndContinue skips the failing record and goes on', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .mapValues((v) => {
        if (v === 13) throw new Error('unlucky');
        return v;
      })
      .to('out', { keySerde: S, valueSerde: I });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'errors', processingExceptionHandler: 'logAndContinue' });
    const input = driver.createInputTopic('in', S, I);
    for (const v of [1, 13, 2]) input.pipeInput('k', v);
    assert.deepEqual(driver.createOutputTopic('out', S, I).readValuesToList(), [1, 2]);
  });

  it('deserialization errors fail by default and are skipped with logAndContinue', () => {
    const build = (): Topology => {
      const b = new StreamsBuilder();
      b.stream<string, { n: number }>('in', { keySerde: S, valueSerde: Serdes.json() }).to('out', { keySerde: S, valueSerde: Serdes.json() });
      return b.build();
    };
    driver = new TopologyTestDriver(build(), { applicationId: 'errors' });
    const raw = driver.createInputTopic('in', S, S);
    assert.throws(() => raw.pipeInput('k', '{broken'), /Deserialization failed.*in-0@0.*topic "in"/s);
    driver.close();
    driver = new TopologyTestDriver(build(), { applicationId: 'errors', deserializationExceptionHandler: 'logAndContinue' });
    const raw2 = driver.createInputTopic('in', S, S);
    raw2.pipeInput('k', '{broken');
    raw2.pipeInput('k', '{"n":1}');
    assert.deepEqual(driver.createOutputTopic('out', S, Serdes.json()).readValuesToList(), [{ n: 1 }]);
  });
});
