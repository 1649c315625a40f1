export { Topology } from './topology.js';
export type { TopologySinkInfo, TopologyStoreInfo } from './topology.js';
export { TopologyError } from './topology-builder.js';
export type { SourceOptions, SinkOptions } from './topology-builder.js';
export { TopologyDescription } from './description.js';
export type { NodeDescription, SubtopologyDescription, GlobalStoreDescription } from './description.js';
