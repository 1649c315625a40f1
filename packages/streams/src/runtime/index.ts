export { KafkaStreams, UNAVAILABLE_HOST } from './kafka-streams.js';
export type { KafkaStreamsState, StateListener, HostInfo, KeyQueryMetadata, StreamThreadExceptionResponse, StreamsUncaughtExceptionHandler } from './kafka-streams.js';
export type { StreamsConfig, ErrorHandler, ErrorHandlerContext, ErrorHandlerResponse, ErrorHandlerSetting, Logger } from './config.js';
export { StreamsError, ProcessorError, StreamsConfigError, TopologyMismatchError, InvalidStateStoreError } from './errors.js';
export { DLQ_HEADERS } from './stream-task.js';
export { TaskTimeoutError } from './failure.js';
export { ApplicationShutdownRequestedError } from './stream-thread.js';
export { startQueryServer } from './query-server.js';
export type { QueryServer, QueryServerOptions } from './query-server.js';
