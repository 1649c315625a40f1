/** The shop's adapter to the console: its supervised services, its dead-letter naming and its order flow. */
import type { Backend, KafkaStreams, Logger } from '@tributary/streams';
import type { SupervisedApp } from '../services/supervisor.js';
import { deadLetterTopic, TOPICS } from '../topics.js';
import type { ConsoleApplication, ConsoleSource } from './console-source.js';
import { identityOf } from './topology-registry.js';

export function shopConsoleSource(apps: ReadonlyMap<string, SupervisedApp>, backend: Backend, logger: Logger): ConsoleSource {
  return {
    backend,
    logger,
    applications: () => {
      const out: ConsoleApplication[] = [];
      for (const [name, supervised] of apps) {
        const current = currentApp(supervised);
        const identity = current !== undefined ? identityOf(current) : undefined;
        // An app created outside `createService` has no recorded topology: the console cannot draw it.
        if (identity === undefined) continue;
        out.push({
          name,
          applicationId: identity.applicationId,
          topology: identity.topology,
          streams: () => currentApp(supervised),
          restarts: () => supervised.restarts,
          failure: () => supervised.failure,
        });
      }
      return out;
    },
    deadLetterTopic,
    // Through every service: the order, its three checks, its payment, its enrichment (shop-spec.md).
    flowTopics: [TOPICS.orders, TOPICS.orderValidations, TOPICS.payments, TOPICS.ordersEnriched],
  };
}

/** The supervisor's current instance; none before its first start. */
function currentApp(supervised: SupervisedApp): KafkaStreams | undefined {
  try {
    return supervised.app;
  } catch {
    return undefined;
  }
}
