/** What a `KafkaStreams` instance does when one of its stream threads dies (KIP-671), and who decides. */
import type { Logger } from './config.js';
import { ApplicationShutdownRequestedError } from './stream-thread.js';

/**
 * What happens after a stream thread died of an error it could not recover from (KIP-671):
 * - `REPLACE_THREAD`: a new thread takes over; it resumes from the last commit (the failing record is processed
 *   again), so a transient fault heals itself;
 * - `SHUTDOWN_CLIENT` (default): this instance stops and goes to ERROR;
 * - `SHUTDOWN_APPLICATION`: every instance of the application stops and goes to ERROR.
 */
export type StreamThreadExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION';

export type StreamsUncaughtExceptionHandler = (error: Error) => StreamThreadExceptionResponse;

/**
 * The handler's answer to `error`; SHUTDOWN_CLIENT without a handler, when the handler throws, and when another
 * instance asked the whole application to stop (that is not the handler's to overrule).
 */
export function responseTo(error: Error, handler: StreamsUncaughtExceptionHandler | undefined, logger: Logger): StreamThreadExceptionResponse {
  if (error instanceof ApplicationShutdownRequestedError || handler === undefined) return 'SHUTDOWN_CLIENT';
  try {
    return handler(error);
  } catch (handlerError) {
    logger.error({ err: String(handlerError) }, 'the uncaught-exception handler threw; shutting down the client');
    return 'SHUTDOWN_CLIENT';
  }
}
