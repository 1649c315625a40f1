export { StreamsBuilder } from './streams-builder.js';
export { KStream, BranchedKStream } from './kstream.js';
export { KTable } from './ktable.js';
export { GlobalKTable } from './global-ktable.js';
export { KGroupedStream } from './kgrouped-stream.js';
export { KGroupedTable } from './kgrouped-table.js';
export type * from './options.js';
