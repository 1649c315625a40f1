/** The shop's logger: pino (JSON lines on stdout), shared by the HTTP API and every streams app. */
import { pino } from 'pino';
import type { Logger } from '@tributary/streams';

export function createLogger(level: string, name = 'shop'): Logger & { child(bindings: Record<string, unknown>): Logger } {
  return pino({ name, level });
}
