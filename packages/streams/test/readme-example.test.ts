import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wordCount } from '../examples/word-count.js';
import { kafkaBootstrapServers } from './support/backends.js';

// The README's example must keep working, on the embedded log and (when a broker is there) on Kafka.
describe('README example', () => {
  for (const servers of [undefined, kafkaBootstrapServers].filter((s, i) => i === 0 || s !== undefined)) {
    it(`counts words on ${servers ? 'kafka' : 'the embedded log'}`, async () => {
      const counts = await wordCount(['the quick brown fox', 'jumps over the lazy dog'], servers);
      assert.equal(counts.get('the'), 2);
      assert.equal(counts.get('fox'), 1);
      assert.equal(counts.size, 8);
    });
  }
});
