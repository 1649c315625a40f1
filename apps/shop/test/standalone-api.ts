/**
 * The API's dependencies with no orders and no commands, for tests of one route family on its own (health, writes):
 * only the writer and the supervised services are the test's.
 */
import type { ApiDeps } from '../src/http/api-deps.js';
import { ForwardAuth } from '../src/http/forward-auth.js';
import { LongPollLimits } from '../src/http/long-poll-limits.js';
import { OrderWaiters } from '../src/http/order-waiters.js';
import { PostedOrders } from '../src/http/posted-orders.js';
import type { TopicWriter } from '../src/http/topic-writer.js';
import { createCommandFeeds } from '../src/services/command-views.js';
import { quietLogger } from './support.js';

export function standaloneApiDeps(writer: TopicWriter, services: ApiDeps['services']): ApiDeps {
  return {
    view: { ready: true, order: () => null, remoteOwner: () => undefined },
    commands: { stock: () => null, commandResult: () => null, registration: () => null, ownerOfEmail: () => null, remoteOwner: () => undefined },
    feeds: createCommandFeeds(),
    waiters: new OrderWaiters(),
    posted: new PostedOrders(),
    writer,
    longPolls: new LongPollLimits(),
    forwarding: new ForwardAuth(),
    logger: quietLogger,
    services,
  };
}
