export type { TopicNameExtractor, StreamPartitioner } from './physical.js';
