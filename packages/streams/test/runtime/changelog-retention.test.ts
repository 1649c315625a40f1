/**
 * `windowStoreChangeLogAdditionalRetentionMs` (Kafka's `windowstore.changelog.additional.retention.ms`): window and
 * session changelogs are created with `retention.ms` = store retention + the margin, versioned ones with
 * `min.compaction.lag.ms` = history retention + the margin, unless the store's own log config sets them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdminClient, NewTopic } from '../../src/backend/port.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { SessionWindows, TimeWindows } from '../../src/dsl/windows.js';
import { resolveConfig } from '../../src/runtime/config.js';
import { StreamsConfigError } from '../../src/runtime/errors.js';
import { prepareTopics } from '../../src/runtime/internal-topics.js';
import { Serdes } from '../../src/serde/serdes.js';
import { Stores } from '../../src/state/stores.js';
import type { PhysicalTopology } from '../../src/topology/physical.js';

const S = Serdes.string();
const DAY = 86_400_000;

/** An admin that knows the source topics and records what the runtime asks it to create. */
function recordingAdmin(): { admin: AdminClient; created: NewTopic[] } {
  const created: NewTopic[] = [];
  const admin: AdminClient = {
    createTopics: async (topics) => void created.push(...topics),
    describeTopics: async (names) => new Map(names.filter((n) => n === 'in' || n === 'table-in').map((n) => [n, 2])),
    listTopics: async () => ['in', 'table-in'],
    deleteTopics: async () => undefined,
    deleteRecords: async () => undefined,
    close: async () => undefined,
  };
  return { admin, created };
}

function topology(): PhysicalTopology {
  const b = new StreamsBuilder();
  const grouped = b.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey();
  grouped.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).count({ storeName: 'tumbling', retentionMs: 120_000 });
  grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5_000)).count({ storeName: 'sessions', retentionMs: 30_000 });
  grouped
    .windowedBy(TimeWindows.ofSizeWithNoGrace(1_000))
    .count({ storeName: 'kept', retentionMs: 2_000, logConfig: { 'retention.ms': '7000' } });
  b.table<string, string>('table-in', {
    keySerde: S,
    valueSerde: S,
    storeSupplier: Stores.persistentVersionedKeyValueStore('versions', 50_000),
  });
  grouped.count({ storeName: 'plain' });
  return b.build().physical();
}

async function created(additionalRetentionMs: number): Promise<Map<string, Readonly<Record<string, string>>>> {
  const { admin, created: topics } = recordingAdmin();
  await prepareTopics(admin, topology(), { applicationId: 'app', createMissingSourceTopics: false, windowStoreChangeLogAdditionalRetentionMs: additionalRetentionMs });
  return new Map(topics.map((t) => [t.name, t.config ?? {}]));
}

test('windowed and versioned changelogs get the default one-day margin, as Kafka Streams', async () => {
  const configs = await created(resolveConfig({ applicationId: 'app' }).windowStoreChangeLogAdditionalRetentionMs);
  assert.deepEqual(configs.get('app-tumbling-changelog'), { 'cleanup.policy': 'compact,delete', 'retention.ms': String(120_000 + DAY) });
  assert.deepEqual(configs.get('app-sessions-changelog'), { 'cleanup.policy': 'compact,delete', 'retention.ms': String(30_000 + DAY) });
  assert.equal(configs.get('app-versions-changelog')?.['min.compaction.lag.ms'], String(50_000 + DAY));
  assert.deepEqual(configs.get('app-plain-changelog'), { 'cleanup.policy': 'compact' });
});

test('the margin is the app setting, and a store that sets its own retention keeps it', async () => {
  const configs = await created(15_000);
  assert.equal(configs.get('app-tumbling-changelog')?.['retention.ms'], String(135_000));
  assert.equal(configs.get('app-sessions-changelog')?.['retention.ms'], String(45_000));
  assert.equal(configs.get('app-versions-changelog')?.['min.compaction.lag.ms'], String(65_000));
  assert.equal(configs.get('app-kept-changelog')?.['retention.ms'], '7000');
  assert.equal(configs.get('app-plain-changelog')?.['retention.ms'], undefined);
});

test('windowStoreChangeLogAdditionalRetentionMs is validated at construction', () => {
  assert.equal(resolveConfig({ applicationId: 'a', windowStoreChangeLogAdditionalRetentionMs: 0 }).windowStoreChangeLogAdditionalRetentionMs, 0);
  for (const bad of [-1, 1.5, Number.NaN]) {
    assert.throws(
      () => resolveConfig({ applicationId: 'a', windowStoreChangeLogAdditionalRetentionMs: bad }),
      (e: unknown) => e instanceof StreamsConfigError && /windowStoreChangeLogAdditionalRetentionMs/.test(e.message),
    );
  }
});
