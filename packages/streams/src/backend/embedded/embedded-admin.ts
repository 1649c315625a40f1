import type { AdminClient, NewTopic, TopicPartitionOffset } from '../port.js';
import type { EmbeddedLog } from './embedded-log.js';

export class EmbeddedAdmin implements AdminClient {
  constructor(private readonly log: EmbeddedLog) {}

  async createTopics(topics: ReadonlyArray<NewTopic>): Promise<void> {
    for (const topic of topics) this.log.createTopic(topic);
  }

  async describeTopics(names: ReadonlyArray<string>): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (const name of names) {
      const count = this.log.partitionCount(name);
      if (count !== undefined) result.set(name, count);
    }
    return result;
  }

  async listTopics(): Promise<string[]> {
    return [...this.log.topicNames()].sort();
  }

  async deleteTopics(names: ReadonlyArray<string>): Promise<void> {
    for (const name of names) this.log.deleteTopic(name);
  }

  async deleteRecords(offsets: ReadonlyArray<TopicPartitionOffset>): Promise<void> {
    for (const o of offsets) this.log.deleteRecords(o.topic, o.partition, o.offset);
  }

  async close(): Promise<void> {}
}
