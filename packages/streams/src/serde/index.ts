export { SerializationError } from './serde.js';
export type { Serde } from './serde.js';
export { Serdes } from './serdes.js';
export { WindowedSerdes } from './windowed-serdes.js';
export type { JsonSchema, StandardSchemaV1, StandardSchemaResult, StandardSchemaIssue, SafeParseSchema } from './standard-schema.js';
