/**
 * Where the email service's messages go. Pluggable so a real mail gateway can replace the defaults, which only
 * record what would have been sent: to the log, or as JSON lines in a file.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@tributary/streams';
import type { Customer, Order, Payment } from '../schemas.js';

export interface Email {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly order: Order;
  readonly payment: Payment;
  readonly customer: Customer;
}

/** Called from stream processing, so it must not block for long; a slow gateway should queue internally. */
export interface EmailSender {
  send(email: Email): void;
}

export function logEmailSender(logger: Logger): EmailSender {
  return { send: (email) => logger.info({ to: email.to, subject: email.subject, orderId: email.order.id }, 'email sent') };
}

/** Appends one JSON line per email; the directory is created on first use. */
export function fileEmailSender(path: string): EmailSender {
  let ready = false;
  return {
    send: (email) => {
      if (!ready) {
        mkdirSync(dirname(path), { recursive: true });
        ready = true;
      }
      appendFileSync(path, `${JSON.stringify(email)}\n`);
    },
  };
}

export function composeEmail(order: Order, payment: Payment, customer: Customer): Email {
  return {
    to: customer.email,
    subject: `Your order ${order.id}`,
    body:
      `Dear ${customer.firstName} ${customer.lastName},\n\n` +
      `we received your payment of ${payment.amount} ${payment.ccy} for ${order.quantity} x ${order.product} ` +
      `(order ${order.id}).\n\nThe Tributary shop`,
    order,
    payment,
    customer,
  };
}
