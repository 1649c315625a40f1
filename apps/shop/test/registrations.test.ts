/**
 * The registration service through the TopologyTestDriver (which feeds the service's own claim and reply topics back
 * in): first claim of an email (trimmed, case-insensitive) or a username wins, the loser is REJECTED naming the
 * attribute, a half-claimed registration gives its email back, a changed email frees the old one only once the new
 * one is held, and a deletion frees both.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Serdes, TopologyTestDriver } from '@tributary/streams';
import { CLAIM_STORES } from '../src/registrations/claim-processor.js';
import type { Claim } from '../src/registrations/messages.js';
import type { RegistrationCommand, RegistrationEvent } from '../src/registrations/schemas.js';
import { registrationCommandSerde, registrationEventSerde, registrationsTopology } from '../src/services/registrations.js';
import { TOPICS } from '../src/topics.js';

const T0 = 1_700_000_000_000;

function withRegistrations(body: (send: (c: Omit<RegistrationCommand, 'commandId'> & { commandId?: string }) => RegistrationEvent | undefined, driver: TopologyTestDriver) => void): void {
  const driver = new TopologyTestDriver(registrationsTopology(), { applicationId: 'registrations-test' }, T0);
  const commands = driver.createInputTopic(TOPICS.registrationCommands, Serdes.string(), registrationCommandSerde);
  const events = driver.createOutputTopic(TOPICS.registrationEvents, Serdes.string(), registrationEventSerde);
  let n = 0;
  try {
    body((c) => {
      n += 1;
      const commandId = c.commandId ?? `cmd-${n}`;
      commands.pipeInput(c.customerId, { ...c, commandId }, T0 + n);
      return events.readValuesToList().find((e) => e?.commandId === commandId) ?? undefined;
    }, driver);
  } finally {
    driver.close();
  }
}

describe('registrations', () => {
  it('first claim wins; the loser is REJECTED naming the attribute', () => {
    withRegistrations((send, driver) => {
      assert.equal(send({ type: 'REGISTER', customerId: 'a', email: 'Ada@Example.com', username: 'ada' })?.status, 'ACCEPTED');
      const sameEmail = send({ type: 'REGISTER', customerId: 'b', email: '  ada@EXAMPLE.com ', username: 'bob' });
      assert.equal(sameEmail?.status, 'REJECTED');
      assert.match(sameEmail?.reason ?? '', /^email .* is already taken/);
      const sameUsername = send({ type: 'REGISTER', customerId: 'c', email: 'cy@example.com', username: 'ada' });
      assert.equal(sameUsername?.status, 'REJECTED');
      assert.match(sameUsername?.reason ?? '', /^username ada is already taken/);
      // Usernames are compared exactly.
      assert.equal(send({ type: 'REGISTER', customerId: 'd', email: 'd@example.com', username: 'Ada' })?.status, 'ACCEPTED');
      // c's half claim (its email, claimed before the username was refused) was given back.
      assert.equal(driver.getKeyValueStore<string, Claim>(CLAIM_STORES.email).get('cy@example.com'), null);
      assert.equal(send({ type: 'REGISTER', customerId: 'e', email: 'CY@example.com', username: 'cy' })?.status, 'ACCEPTED');
      assert.equal(send({ type: 'REGISTER', customerId: 'a', email: 'other@example.com', username: 'other' })?.status, 'REJECTED');
    });
  });

  it('a changed email frees the old one; a deletion frees both', () => {
    withRegistrations((send, driver) => {
      const claims = driver.getKeyValueStore<string, Claim>(CLAIM_STORES.email);
      assert.equal(send({ type: 'REGISTER', customerId: 'a', email: 'old@example.com', username: 'ada' })?.status, 'ACCEPTED');
      assert.equal(send({ type: 'REGISTER', customerId: 'b', email: 'taken@example.com', username: 'bob' })?.status, 'ACCEPTED');
      const refused = send({ type: 'CHANGE_EMAIL', customerId: 'a', email: 'TAKEN@example.com', username: 'ada' });
      assert.equal(refused?.status, 'REJECTED');
      assert.equal(claims.get('old@example.com')?.customerId, 'a');
      const changed = send({ type: 'CHANGE_EMAIL', customerId: 'a', email: 'new@example.com', username: 'ada' });
      assert.deepEqual([changed?.status, changed?.email, changed?.username], ['ACCEPTED', 'new@example.com', 'ada']);
      assert.equal(claims.get('old@example.com'), null);
      assert.equal(claims.get('new@example.com')?.customerId, 'a');
      assert.equal(send({ type: 'REGISTER', customerId: 'c', email: 'old@example.com', username: 'cy' })?.status, 'ACCEPTED');
      const deleted = send({ type: 'DELETE', customerId: 'a', email: '', username: '' });
      assert.deepEqual([deleted?.status, deleted?.email, deleted?.username], ['ACCEPTED', 'new@example.com', 'ada']);
      assert.equal(send({ type: 'REGISTER', customerId: 'd', email: 'new@example.com', username: 'ada' })?.status, 'ACCEPTED');
      assert.equal(send({ type: 'DELETE', customerId: 'a', email: '', username: '' })?.status, 'REJECTED');
      assert.equal(send({ type: 'CHANGE_EMAIL', customerId: 'zz', email: 'z@example.com', username: '' })?.status, 'REJECTED');
    });
  });

  it('a customer registering again right after a deletion keeps what it claims again', () => {
    withRegistrations((send, driver) => {
      assert.equal(send({ type: 'REGISTER', customerId: 'a', email: 'a@example.com', username: 'ada' })?.status, 'ACCEPTED');
      assert.equal(send({ type: 'DELETE', customerId: 'a', email: '', username: '' })?.status, 'ACCEPTED');
      assert.equal(send({ type: 'REGISTER', customerId: 'a', email: 'a@example.com', username: 'ada' })?.status, 'ACCEPTED');
      assert.equal(driver.getKeyValueStore<string, Claim>(CLAIM_STORES.email).get('a@example.com')?.customerId, 'a');
      assert.equal(driver.getKeyValueStore<string, Claim>(CLAIM_STORES.username).get('ada')?.customerId, 'a');
    });
  });
});
