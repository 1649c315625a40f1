/**
 * Kafka's ProcessingExceptionHandlerIntegrationTest through the test driver: the handler decides at the failing
 * processor (KIP-1033), with the record that processor received; `continue` drops the record there and the rest of
 * the topology goes on; `fail` stops with Kafka's message; failures while a record cache flushes are handled too.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessorSupplier } from '../../src/api/processor.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import type { ErrorHandler } from '../../src/runtime/config.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const TIMESTAMP = 1_700_000_000_000;

/** Kafka's runtimeErrorProcessorSupplierMock: fails on keys with ERR and on the value "3". */
const failingProcessor: ProcessorSupplier<string, string, string, string> = () => {
  let forward: (key: string, value: string, timestamp: number) => void;
  return {
    init(context) {
      forward = (key, value, timestamp) => context.forward({ key, value, timestamp, headers: {} });
    },
    process(record) {
      if (record.key.includes('ERR') || record.value === '3') throw new Error('Exception should be handled by processing exception handler');
      forward(record.key, record.value, record.timestamp);
    },
  };
};

function capture(into: string[]): ProcessorSupplier<string, string, void, void> {
  return () => ({ process: (record) => void into.push(`${record.key}=${record.value}@${record.timestamp}`) });
}

function mapThenFail(processed: string[]): StreamsBuilder {
  const b = new StreamsBuilder();
  b.stream<string, string>('TOPIC_NAME', { keySerde: S, valueSerde: S })
    .map((k, v) => [k, v] as const)
    .mapValues((v) => v)
    .process(failingProcessor)
    .process(capture(processed));
  return b;
}

function countThenFail(processed: string[]): StreamsBuilder {
  const b = new StreamsBuilder();
  b.stream<string, string>('TOPIC_NAME', { keySerde: S, valueSerde: S })
    .groupByKey()
    .count({ caching: true })
    .toStream()
    .mapValues((v) => String(v))
    .process(failingProcessor)
    .process(capture(processed));
  return b;
}

const events = (pairs: Array<[string, string]>): Array<{ key: string; value: string }> => pairs.map(([key, value]) => ({ key, value }));

describe("Kafka's ProcessingExceptionHandlerIntegrationTest", () => {
  it('fail: stops at the failing record with a message naming task, processor, topic, partition and offset', () => {
    const processed: string[] = [];
    const driver = new TopologyTestDriver(mapThenFail(processed).build(), { applicationId: 'peh', processingExceptionHandler: 'fail' }, 0);
    try {
      const input = driver.createInputTopic('TOPIC_NAME', S, S);
      assert.throws(
        () => input.pipeKeyValueList(events([['ID123-1', 'ID123-A1'], ['ID123-2-ERR', 'ID123-A2'], ['ID123-3', 'ID123-A3'], ['ID123-4', 'ID123-A4']]), TIMESTAMP, 0),
        (e: unknown) =>
          e instanceof Error &&
          e.message.includes('Exception caught in process. taskId=0_0, processor=KSTREAM-PROCESSOR-0000000003, topic=TOPIC_NAME, partition=0, offset=1'),
      );
      assert.deepEqual(processed, [`ID123-1=ID123-A1@${TIMESTAMP}`]);
      assert.equal(driver.metrics().get('dropped-records-total'), 0);
    } finally {
      driver.close();
    }
  });

  it('continue: the handler sees the failing processor, record and position; the others go through', () => {
    const processed: string[] = [];
    const seen: string[] = [];
    const handler: ErrorHandler = (error, context) => {
      seen.push(`${context.processorName} ${context.topic}-${context.partition}@${context.offset} ${String(context.key)}=${String(context.value)} ${context.taskId} ${error.message}`);
      return 'continue';
    };
    const driver = new TopologyTestDriver(mapThenFail(processed).build(), { applicationId: 'peh', processingExceptionHandler: handler }, 0);
    try {
      const input = driver.createInputTopic('TOPIC_NAME', S, S);
      input.pipeKeyValueList(
        events([['ID123-1', 'ID123-A1'], ['ID123-2-ERR', 'ID123-A2'], ['ID123-3', 'ID123-A3'], ['ID123-4', 'ID123-A4'], ['ID123-5-ERR', 'ID123-A5'], ['ID123-6', 'ID123-A6']]),
        TIMESTAMP,
        0,
      );
      assert.deepEqual(processed, ['ID123-1', 'ID123-3', 'ID123-4', 'ID123-6'].map((k) => `${k}=${k.replace('ID123-', 'ID123-A')}@${TIMESTAMP}`));
      assert.deepEqual(seen, [
        'KSTREAM-PROCESSOR-0000000003 TOPIC_NAME-0@1 ID123-2-ERR=ID123-A2 0_0 Exception should be handled by processing exception handler',
        'KSTREAM-PROCESSOR-0000000003 TOPIC_NAME-0@4 ID123-5-ERR=ID123-A5 0_0 Exception should be handled by processing exception handler',
      ]);
      assert.equal(driver.metrics().get('dropped-records-total'), 2);
      assert.ok((driver.metrics().get('dropped-records-rate') ?? 0) > 0);
    } finally {
      driver.close();
    }
  });

  it('fail while a record cache flushes: the flush fails, naming the store', () => {
    const processed: string[] = [];
    const driver = new TopologyTestDriver(countThenFail(processed).build(), { applicationId: 'peh', processingExceptionHandler: 'fail' }, 0);
    try {
      const input = driver.createInputTopic('TOPIC_NAME', S, S);
      assert.throws(
        () => input.pipeKeyValueList(events([['ID123-1', 'ID123-A1'], ['ID123-1', 'ID123-A2'], ['ID123-1', 'ID123-A3'], ['ID123-1', 'ID123-A4']]), TIMESTAMP, 0),
        /Failed to flush cache of store KSTREAM-AGGREGATE-STATE-STORE-0000000001/,
      );
      assert.deepEqual(processed, [`ID123-1=1@${TIMESTAMP}`, `ID123-1=2@${TIMESTAMP}`]);
      assert.equal(driver.metrics().get('dropped-records-total'), 0);
    } finally {
      driver.close();
    }
  });

  it('continue while a record cache flushes: that update is dropped, later ones go through', () => {
    const processed: string[] = [];
    const driver = new TopologyTestDriver(countThenFail(processed).build(), { applicationId: 'peh', processingExceptionHandler: 'logAndContinue' }, 0);
    try {
      const input = driver.createInputTopic('TOPIC_NAME', S, S);
      input.pipeKeyValueList(events([['ID123-1', 'ID123-A1'], ['ID123-1', 'ID123-A2'], ['ID123-1', 'ID123-A3'], ['ID123-1', 'ID123-A4']]), TIMESTAMP, 0);
      assert.deepEqual(processed, ['1', '2', '4'].map((v) => `ID123-1=${v}@${TIMESTAMP}`));
      assert.equal(driver.metrics().get('dropped-records-total'), 1);
    } finally {
      driver.close();
    }
  });

  it('continue drops the record at the failing node only: a sibling branch still gets it, as in Kafka', () => {
    const left: string[] = [];
    const right: string[] = [];
    const b = new StreamsBuilder();
    const stream = b.stream<string, string>('TOPIC_NAME', { keySerde: S, valueSerde: S });
    stream.process(failingProcessor).process(capture(left));
    stream.process(capture(right));
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'peh', processingExceptionHandler: 'logAndContinue' }, 0);
    try {
      const input = driver.createInputTopic('TOPIC_NAME', S, S);
      input.pipeInput('ok', 'v', 1);
      input.pipeInput('ERR', 'v', 2);
      assert.deepEqual(left, ['ok=v@1']);
      assert.deepEqual(right, ['ok=v@1', 'ERR=v@2']);
    } finally {
      driver.close();
    }
  });

  it('a handler that throws or answers neither continue nor fail stops processing, asked once', () => {
    for (const handler of [
      (() => {
        throw new Error('handler bug');
      }) as ErrorHandler,
      (() => null) as unknown as ErrorHandler,
    ]) {
      let calls = 0;
      const processed: string[] = [];
      const counting: ErrorHandler = (error, context) => {
        calls++;
        return handler(error, context);
      };
      const driver = new TopologyTestDriver(mapThenFail(processed).build(), { applicationId: 'peh', processingExceptionHandler: counting }, 0);
      try {
        const input = driver.createInputTopic('TOPIC_NAME', S, S);
        input.pipeInput('ID123-1', 'ID123-A1', TIMESTAMP);
        assert.throws(() => input.pipeInput('ID123-ERR-FATAL', 'ID123-A2', TIMESTAMP), /Fatal user code error in processing error callback/);
        assert.equal(calls, 1);
        assert.deepEqual(processed, [`ID123-1=ID123-A1@${TIMESTAMP}`]);
      } finally {
        driver.close();
      }
    }
  });
});
