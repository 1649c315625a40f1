export type * from './record.js';
export type * from './processor.js';
export type * from './state-store.js';
export type * from './windowed.js';
export type * from './sink.js';
