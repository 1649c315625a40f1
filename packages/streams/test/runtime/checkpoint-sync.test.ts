/**
 * LMDB commits do not fsync; a task's stores are synced before its checkpoint file names their state. A wrapper
 * around each store's registered `sync` records, at every sync, what the checkpoint file said at that moment: every
 * checkpoint write must come after a sync that saw the previous file, and commits (flushes) alone must not sync.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tpKey } from '../../src/backend/topic-partition.js';
import { CHECKPOINT_OFFSET_DELTA, TaskStateManager } from '../../src/runtime/task-state-manager.js';
import { Serdes } from '../../src/serde/serdes.js';
import type { KeyValueStore, StateStoreContext } from '../../src/state/store.js';
import { Stores } from '../../src/state/stores.js';
import type { PhysicalTopology } from '../../src/topology/physical.js';

const APP = 'sync-app';
const CHANGELOG = `${APP}-counts-changelog`;

/** The checkpoint file's text, or '' when there is none. */
function checkpointText(taskDir: string): string {
  const file = join(taskDir, '.checkpoint');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** A task with one persistent (LMDB) store whose registered syncs are recorded in `syncs`, with the file they saw. */
function taskWithCountingStore(taskDir: string, syncs: string[]): TaskStateManager {
  const real = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.string(), Serdes.string());
  // The real store stack, its `init` handed a context whose `registerSync` records each sync.
  const builder = real;
  const build = real.build.bind(real);
  builder.build = () => {
    const store = build();
    const init = store.init.bind(store);
    store.init = (context: StateStoreContext): void => {
      const register = context.registerSync;
      assert.ok(register, 'the runtime offers stores a sync registration');
      init({
        applicationId: context.applicationId,
        taskId: context.taskId,
        taskDir: context.taskDir,
        logChange: (name, key, value, timestamp) => context.logChange(name, key, value, timestamp),
        register: (s, restore) => context.register(s, restore),
        registerSync: (sync) =>
          register(() => {
            syncs.push(checkpointText(taskDir));
            sync();
          }),
      });
    };
    return store;
  };
  const topology: PhysicalTopology = {
    nodes: new Map(),
    subtopologies: [],
    stores: new Map([['counts', { builder, changelogTopic: 'counts-changelog' }]]),
    globalStores: [],
    internalTopics: new Map(),
    globalSubtopologyIds: new Map(),
  };
  const manager = new TaskStateManager({
    taskId: '0_0',
    partition: 0,
    applicationId: APP,
    taskDir,
    topology,
    storeNames: ['counts'],
    collector: { send: () => undefined, partitionsFor: () => undefined },
    currentTimestamp: () => 0,
    deferSync: true,
  });
  manager.initializeStores();
  manager.changelogs();
  return manager;
}

test('a checkpoint is written only after the stores it names were synced; commits alone do not sync', () => {
  const taskDir = mkdtempSync(join(tmpdir(), 'tributary-sync-'));
  try {
    const syncs: string[] = [];
    const manager = taskWithCountingStore(taskDir, syncs);
    const store = manager.store('counts') as KeyValueStore<string, string>;
    manager.setPosition(CHANGELOG, 0, 0);

    for (let round = 1; round <= 3; round++) {
      const before = checkpointText(taskDir);
      store.put(`k${round}`, `v${round}`);
      manager.flush();
      manager.flush();
      assert.equal(syncs.length, round - 1, `round ${round}: a commit (flush) does not sync`);
      manager.advance(new Map([[tpKey(CHANGELOG, 0), round * 10]]));
      manager.checkpoint();
      assert.equal(syncs.length, round, `round ${round}: one sync per checkpoint`);
      assert.equal(syncs[round - 1], before, `round ${round}: the sync ran while the file still named the previous state`);
      assert.deepEqual(JSON.parse(checkpointText(taskDir)), { [tpKey(CHANGELOG, 0)]: round * 10 });
    }

    // Closed stores unregister: a later checkpoint syncs nothing of theirs.
    manager.close();
    const afterClose = syncs.length;
    manager.checkpoint();
    assert.equal(syncs.length, afterClose, 'a closed store is no longer synced');
  } finally {
    rmSync(taskDir, { recursive: true, force: true });
  }
});

test('a commit checkpoints only once the changelogs moved more than 10,000 records past the last checkpoint (Kafka)', () => {
  const taskDir = mkdtempSync(join(tmpdir(), 'tributary-sync-'));
  try {
    const syncs: string[] = [];
    const manager = taskWithCountingStore(taskDir, syncs);
    const at = (offset: number): void => manager.advance(new Map([[tpKey(CHANGELOG, 0), offset]]));
    manager.setPosition(CHANGELOG, 0, 0);
    at(5);
    manager.maybeCheckpoint();
    assert.deepEqual(JSON.parse(checkpointText(taskDir)), { [tpKey(CHANGELOG, 0)]: 5 }, 'the first commit checkpoints');
    at(5 + CHECKPOINT_OFFSET_DELTA);
    manager.maybeCheckpoint();
    assert.deepEqual(JSON.parse(checkpointText(taskDir)), { [tpKey(CHANGELOG, 0)]: 5 }, 'moved exactly the threshold: not yet');
    assert.equal(syncs.length, 1, 'no sync without a checkpoint');
    at(6 + CHECKPOINT_OFFSET_DELTA);
    manager.maybeCheckpoint();
    assert.deepEqual(JSON.parse(checkpointText(taskDir)), { [tpKey(CHANGELOG, 0)]: 6 + CHECKPOINT_OFFSET_DELTA });
    assert.equal(syncs.length, 2);
    at(7 + CHECKPOINT_OFFSET_DELTA);
    manager.checkpoint();
    assert.deepEqual(JSON.parse(checkpointText(taskDir)), { [tpKey(CHANGELOG, 0)]: 7 + CHECKPOINT_OFFSET_DELTA }, 'closing checkpoints regardless');
    manager.close();
  } finally {
    rmSync(taskDir, { recursive: true, force: true });
  }
});
