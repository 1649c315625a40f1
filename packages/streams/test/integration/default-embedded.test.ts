/** With neither a broker nor a backend, apps share the process-wide embedded log and need no set-up. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { uniqueName } from '../support/backends.js';
import { consumeUntil, produce, quietLogger, tempDir } from './harness.js';

const S = Serdes.string();

describe('the default embedded log', () => {
  it('creates missing source topics and lets two apps talk through it', async () => {
    const dir = tempDir('default');
    const [input, middle, output] = [uniqueName('d-in'), uniqueName('d-mid'), uniqueName('d-out')];
    const upper = new StreamsBuilder();
    upper.stream<string, string>(input, { keySerde: S, valueSerde: S }).mapValues((v) => v.toUpperCase()).to(middle, { keySerde: S, valueSerde: S });
    const exclaim = new StreamsBuilder();
    exclaim.stream<string, string>(middle, { keySerde: S, valueSerde: S }).mapValues((v) => `${v}!`).to(output, { keySerde: S, valueSerde: S });
    const a = new KafkaStreams(upper.build(), { applicationId: uniqueName('d-a'), stateDir: dir.path, commitIntervalMs: 100, logger: quietLogger });
    const b = new KafkaStreams(exclaim.build(), { applicationId: uniqueName('d-b'), stateDir: dir.path, commitIntervalMs: 100, logger: quietLogger });
    try {
      // Neither topic exists yet: starting must not fail.
      await b.start();
      await a.start();
      await produce(a.log, input, S, S, [{ key: 'k', value: 'hi' }]);
      const out = await consumeUntil(b.log, output, S, S, (rs) => rs.length >= 1);
      assert.deepEqual(out, [{ key: 'k', value: 'HI!' }]);
    } finally {
      await a.close();
      await b.close();
      dir.remove();
    }
  });
});
