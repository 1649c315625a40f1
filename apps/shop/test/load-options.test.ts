/** The load generator's command line: defaults, the latency log, and a typo failing before any request. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLoadOptions } from '../src/load/options.js';

describe('load generator options', () => {
  it('defaults, and --latency-log names the CSV file', () => {
    const defaults = parseLoadOptions([]);
    assert.equal(defaults.rate, 100);
    assert.equal(defaults.latencyLog, undefined);
    assert.equal(defaults.url.href, 'http://127.0.0.1:8080/');
    const logged = parseLoadOptions(['--rate', '200', '--latency-log', '/tmp/out.csv']);
    assert.equal(logged.rate, 200);
    assert.equal(logged.latencyLog, '/tmp/out.csv');
  });

  it('refuses a bad value naming the option', () => {
    assert.throws(() => parseLoadOptions(['--rate', 'fast']), /--rate must be a number/);
    assert.throws(() => parseLoadOptions(['--url', 'ftp://x']), /--url must be an http\(s\) URL/);
    assert.throws(() => parseLoadOptions(['--latency-log']), /latency-log/);
  });
});
