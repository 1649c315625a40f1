export { createEmbeddedBackend, type EmbeddedBackendOptions } from './embedded-backend.js';
