/**
 * Who writes which topic, derived from what runs rather than from what the registry says: each streams app's sinks
 * (from its topology), the changelogs of its stores and its dead-letter topic, plus the topics the HTTP API's
 * producers are allowed (they refuse any other, see `assertApiWrite`). `registryViolations` compares that with the
 * topic registry: the single-writer principle and "every shared topic is registered" in one check.
 */
import type { AppEntry } from './app-catalog.js';
import { API_WRITER, GRANDFATHERED_NAMES, TOPIC_NAME_CONVENTION, TOPIC_REGISTRY, type TopicEntry } from './topic-registry.js';
import { deadLetterTopic } from './topics.js';

/** Topic → the applications that write it. */
export function topicWriters(apps: ReadonlyArray<AppEntry>, apiTopics: ReadonlyArray<string>): Map<string, Set<string>> {
  const writers = new Map<string, Set<string>>();
  const add = (topic: string, writer: string): void => {
    const set = writers.get(topic) ?? new Set<string>();
    set.add(writer);
    writers.set(topic, set);
  };
  for (const app of apps) {
    const topology = app.topology();
    for (const sink of topology.sinkTopics()) {
      if (sink.topic === undefined) {
        if (app.dynamicSinkTopics === undefined) add(`<topic chosen per record by ${sink.sink}>`, app.service);
        continue;
      }
      // Repartition topics are the app's own (named after its application id): nobody else writes or reads them.
      if (!sink.internal) add(sink.topic, app.service);
    }
    for (const topic of app.dynamicSinkTopics ?? []) add(topic, app.service);
    // A changelog is the app's too, unless another service reads it: then it is shared and must be registered.
    for (const store of topology.stores()) {
      const changelog = store.changelogTopic === undefined ? undefined : `${app.applicationId}-${store.changelogTopic}`;
      if (changelog !== undefined && TOPIC_REGISTRY.has(changelog)) add(changelog, app.service);
    }
    add(deadLetterTopic(app.applicationId), app.service);
  }
  for (const topic of apiTopics) add(topic, API_WRITER);
  return writers;
}

/** Every way the running system disagrees with `registry`; empty when it follows the rules. */
export function registryViolations(
  writers: ReadonlyMap<string, ReadonlySet<string>>,
  registry: ReadonlyMap<string, TopicEntry> = TOPIC_REGISTRY,
  grandfathered: ReadonlyArray<string> = GRANDFATHERED_NAMES,
): string[] {
  const problems: string[] = [];
  for (const [topic, by] of writers) {
    const entry = registry.get(topic);
    if (entry === undefined) {
      problems.push(`${topic} is written by ${[...by].join(', ')} but not registered`);
      continue;
    }
    const allowed = new Set([entry.owner, ...(entry.sharedBy?.writers ?? [])]);
    const intruders = [...by].filter((w) => !allowed.has(w));
    if (intruders.length > 0) problems.push(`${topic} is owned by ${entry.owner} but also written by ${intruders.join(', ')}`);
    if (by.size > 1 && entry.sharedBy === undefined) problems.push(`${topic} has ${by.size} writers (${[...by].join(', ')}); a topic has one`);
    const absent = [...allowed].filter((w) => !by.has(w));
    if (absent.length > 0) problems.push(`${topic} names ${absent.join(', ')} as writer but nothing there writes it`);
  }
  for (const entry of registry.values()) {
    if (!writers.has(entry.name)) problems.push(`${entry.name} is registered but nothing writes it`);
    if (!TOPIC_NAME_CONVENTION.test(entry.name) && !grandfathered.includes(entry.name)) {
      problems.push(`${entry.name} does not follow <domain>-<entity>[-v<version>]`);
    }
  }
  return problems;
}
