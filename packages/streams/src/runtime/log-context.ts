import type { Logger } from './config.js';

/**
 * A logger that adds `context` to every line. Many apps share one process and one logger (the shop runs a dozen),
 * and a line such as "retriable error" is of no use to an operator who cannot tell which app and which stream thread
 * wrote it; Kafka Streams prefixes every line with the thread's name for the same reason. Fields the call site gives
 * win over the context's.
 */
export function withLogContext(logger: Logger, context: Readonly<Record<string, string | number>>): Logger {
  return {
    info: (obj, msg) => logger.info({ ...context, ...obj }, msg),
    warn: (obj, msg) => logger.warn({ ...context, ...obj }, msg),
    error: (obj, msg) => logger.error({ ...context, ...obj }, msg),
    debug: (obj, msg) => logger.debug({ ...context, ...obj }, msg),
  };
}
