/**
 * Deletes what the application has consumed and committed from its repartition topics (Kafka Streams'
 * `maybePurgeCommittedRecords`): those topics are the application's own plumbing, so once a commit says records
 * were processed they only take disk (on Kafka) or memory and disk (on the embedded log). Runs after a successful
 * commit, at most every `repartitionPurgeIntervalMs`, without holding up processing; a failure is only logged,
 * since the next purge covers the same ground.
 */
import type { AdminClient, TopicPartitionOffset } from '../backend/port.js';
import type { PhysicalTopology } from '../topology/physical.js';
import { internalTopicName } from '../topology/physical.js';
import type { Logger } from './config.js';

export class RepartitionPurge {
  private readonly topics: ReadonlySet<string>;
  private last = Date.now();
  private inFlight: Promise<void> | undefined;

  constructor(
    topology: PhysicalTopology,
    applicationId: string,
    private readonly admin: AdminClient,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.topics = new Set(
      [...topology.internalTopics.values()].filter((t) => t.type === 'repartition').map((t) => internalTopicName(applicationId, t.name)),
    );
  }

  /** `committed`: the offsets the commit that just succeeded committed (next offset to read per partition). */
  afterCommit(committed: ReadonlyArray<TopicPartitionOffset>, now = Date.now()): void {
    if (this.topics.size === 0 || this.inFlight !== undefined || now - this.last < this.intervalMs) return;
    const offsets = committed.filter((o) => this.topics.has(o.topic) && o.offset > 0);
    if (offsets.length === 0) return;
    this.last = now;
    this.inFlight = this.admin
      .deleteRecords(offsets)
      .catch((error: unknown) => this.logger.warn({ err: String(error) }, 'purging committed repartition records failed; the next purge retries'))
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  /** Waits for a purge under way (at shutdown), then closes the admin client. */
  async close(): Promise<void> {
    await this.inFlight;
    await this.admin.close();
  }
}
