/** The inventory app the crash test runs in its child and again in the parent: one state directory, one identity. */
import { join } from 'node:path';
import { KafkaStreams, type Backend } from '@tributary/streams';
import { APP_IDS } from '../src/app-ids.js';
import { inventoryTopology } from '../src/services/inventory.js';
import { quietLogger } from './support.js';

/**
 * The same state directory gives the restarted app the crashed one's process id, hence its transactional id: its
 * first transaction fences the dead one's open transaction. The same static member id (`group.instance.id`) lets
 * it take the dead member's partitions at once instead of after the session timeout.
 */
export function crashTestApp(backend: Backend, dir: string, instance: string): KafkaStreams {
  return new KafkaStreams(inventoryTopology(), {
    applicationId: APP_IDS.inventory,
    backend,
    stateDir: join(dir, 'state'),
    logger: quietLogger,
    processingGuarantee: 'exactly_once_v2',
    commitIntervalMs: 50,
    groupInstanceId: instance,
    maxPollRecords: 50,
  });
}
