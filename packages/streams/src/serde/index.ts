export { SerializationError } from './serde.js';
export type { Serde } from './serde.js';
