/**
 * Where the email service's messages go. Pluggable so a real mail gateway can replace the defaults, which only
 * record what would have been sent: to the log, or as JSON lines in a file.
 */
import type { Logger } from '@tributary/streams';
import type { Customer, Order, Payment } from '../schemas.js';
import { RotatingFile, type RotationLimits } from './rotating-file.js';

/** 64 MiB per file, 4 rotated files kept: the sink takes at most 320 MiB of disk. */
export const DEFAULT_EMAIL_FILE_LIMITS: RotationLimits = { maxBytes: 64 * 1024 * 1024, keep: 4 };

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

/**
 * Appends one JSON line per email; the directory is created on first use. The file is rotated at `limits.maxBytes`
 * and `limits.keep` rotated files are kept (`path.1` newest), so the sent mail does not fill the disk.
 */
export function fileEmailSender(path: string, limits: RotationLimits = DEFAULT_EMAIL_FILE_LIMITS): EmailSender & { close(): void } {
  const file = new RotatingFile(path, limits);
  return {
    send: (email) => file.append(`${JSON.stringify(email)}\n`),
    close: () => file.close(),
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
