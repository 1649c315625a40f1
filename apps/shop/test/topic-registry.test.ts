/**
 * The topic registry against the running system: writers derived from every app's topology and from the HTTP
 * API's producers; one writer per topic (the spec's two shared topics excepted, with their reason), every written
 * topic registered with the cleanup policy it is created with, and names following the convention.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder, Serdes } from '@tributary/streams';
import { SHOP_APPS, type AppEntry } from '../src/app-catalog.js';
import { CATALOG_TOPIC_LIST } from '../src/catalog/catalog-topics.js';
import { LATER_TOPIC_LIST } from '../src/later/later-topics.js';
import { SERVICES } from '../src/services/registry.js';
import { apiTopics, assertApiWrite, GRANDFATHERED_NAMES, TOPIC_REGISTRY } from '../src/topic-registry.js';
import { registryViolations, topicWriters } from '../src/topic-writers.js';
import { SHOP_TOPICS, TOPICS } from '../src/topics.js';

/** An app that writes `topic`, as a careless new service might. */
function writerOf(service: string, topic: string): AppEntry {
  return {
    service,
    applicationId: `${service}-app`,
    topology: () => {
      const builder = new StreamsBuilder();
      builder.stream<string, string>('crm-customers', { keySerde: Serdes.string(), valueSerde: Serdes.string() }).to(topic);
      return builder.build();
    },
  };
}

describe('the topic registry', () => {
  it('holds every app the shop runs', () => {
    const known = new Set(SHOP_APPS.map((a) => a.service));
    for (const service of [...Object.keys(SERVICES), 'orders', 'catalog-view']) assert.ok(known.has(service), `${service} is in app-catalog.ts`);
    assert.equal(known.size, SHOP_APPS.length, 'service names are unique');
  });

  it('matches what the shop writes: one writer per topic, every written topic registered, names by the convention', () => {
    const writers = topicWriters(SHOP_APPS, apiTopics());
    assert.deepEqual(registryViolations(writers), []);
    // The exceptions are the two topics shop-spec.md fixed with several writers, and the inventory's commands, which
    // system-spec.md has both the API and the order flow write (one command processor for every change of stock).
    const shared = [...TOPIC_REGISTRY.values()].filter((e) => e.sharedBy !== undefined).map((e) => e.name);
    assert.deepEqual(shared.sort(), [TOPICS.inventoryCommands, TOPICS.orderValidations, TOPICS.orders].sort());
    assert.deepEqual(writers.get(TOPICS.customers), new Set(['orders-api']));
  });

  it('fails when a second application writes a topic, or an application writes an unregistered one', () => {
    const intruder = registryViolations(topicWriters([...SHOP_APPS, writerOf('careless', TOPICS.payments)], apiTopics()));
    assert.ok(intruder.some((p) => p.startsWith('payments is owned by orders-api but also written by careless')), intruder.join('\n'));
    assert.ok(intruder.some((p) => p.startsWith('payments has 2 writers')), intruder.join('\n'));
    const unregistered = registryViolations(topicWriters([...SHOP_APPS, writerOf('careless', 'crm-leads')], apiTopics()));
    assert.ok(unregistered.some((p) => p.startsWith('crm-leads is written by careless but not registered')), unregistered.join('\n'));
    // The dead-letter topic of an app missing from the registry is unregistered too.
    assert.ok(unregistered.some((p) => p.startsWith('careless-app-dead-letters')), unregistered.join('\n'));
  });

  it('refuses a badly named new topic unless the spec grandfathered it', () => {
    const entry = { name: 'leads', owner: 'careless', schema: TOPIC_REGISTRY.get(TOPICS.payments)!.schema, cleanupPolicy: 'delete' as const, description: 'x' };
    const problems = registryViolations(new Map([['leads', new Set(['careless'])]]), new Map([['leads', entry]]));
    assert.deepEqual(problems, ['leads does not follow <domain>-<entity>[-v<version>]']);
    assert.deepEqual([...GRANDFATHERED_NAMES].sort(), ['bronze', 'customers', 'gold', 'orders', 'payments', 'platinum', 'silver']);
  });

  it('keeps the HTTP API to its own topics', () => {
    assert.throws(() => assertApiWrite(TOPICS.orderValidations), /may not write topic order-validations: the topic registry names order-details/);
    assert.throws(() => assertApiWrite('not-registered'), /may not write/);
    assert.doesNotThrow(() => assertApiWrite(TOPICS.orders));
  });

  it('registers every topic the shop creates, with the cleanup policy it is created with', () => {
    for (const topic of [...SHOP_TOPICS, ...CATALOG_TOPIC_LIST, ...LATER_TOPIC_LIST]) {
      const entry = TOPIC_REGISTRY.get(topic.name);
      assert.ok(entry, `${topic.name} is registered`);
      assert.equal(entry.cleanupPolicy, topic.config?.['cleanup.policy'] ?? 'delete', `${topic.name}'s cleanup policy`);
    }
  });
});
