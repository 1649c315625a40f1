/**
 * The last-resort deadline around client calls: a callback that never comes back becomes a retriable error that
 * marks the client unusable, instead of a stream thread waiting for ever. No native client is involved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRetriable } from '../../../src/backend/port.js';
import { ClientCallHungError, callDoneWithin } from '../../../src/backend/kafka/errors.js';
import { classifyFailure } from '../../../src/runtime/failure.js';

test('a call whose callback never comes is rejected after its deadline, and the owner is told', async () => {
  let hung = false;
  const error = await callDoneWithin('commitTransaction', 20, () => (hung = true), () => undefined).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ClientCallHungError);
  assert.match(error.message, /commitTransaction: no answer from the client after 20 ms/);
  assert.equal(hung, true);
  assert.equal(error.fatal, true, 'the client is given up: its owner replaces it');
  assert.equal(isRetriable(error), true);
  assert.equal(classifyFailure(error), 'retriable');
});

test('a call that answers in time resolves or rejects as the client says, and the owner hears nothing', async () => {
  let hung = false;
  await callDoneWithin('flush', 1_000, () => (hung = true), (cb) => setImmediate(() => cb(null)));
  const failed = await callDoneWithin('flush', 1_000, () => (hung = true), (cb) =>
    setImmediate(() => cb(Object.assign(new Error('Broker: Not enough in-sync replicas'), { code: 19 }))),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.match(String(failed), /flush: Broker: Not enough in-sync replicas/);
  assert.equal(isRetriable(failed), true);
  assert.equal(hung, false);
});
