export type * from './record.js';
export type * from './processor.js';
