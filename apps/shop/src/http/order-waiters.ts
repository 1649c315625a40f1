/**
 * Long-poll bookkeeping for `GET /v1/orders/{id}`: the library's `ReplyWaiters` keyed by order id, fed by the
 * orders view with every version it applies (see `@tributary/streams`' request-reply helper).
 */
import { ReplyWaiters } from '@tributary/streams';
import type { Order } from '../schemas.js';

export class OrderWaiters extends ReplyWaiters<string, Order> {}
