// The public surface of @tributary/streams: every layer's exports. Names follow ../../shared/streams-api.md.
export * from './api/index.js';
export * from './serde/index.js';
export * from './state/index.js';
export * from './backend/index.js';
export * from './topology/index.js';
export * from './graph/index.js';
export * from './processor/index.js';
export * from './dsl/index.js';
export * from './runtime/index.js';
export * from './testing/index.js';
export * from './runtime/request-reply.js';
