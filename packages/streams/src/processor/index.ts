export type { Change } from './change.js';
