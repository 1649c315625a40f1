export { ProducerFencedError, UnknownTopicError } from './port.js';
export type * from './port.js';
