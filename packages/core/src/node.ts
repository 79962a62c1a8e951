/**
 * Node-only helpers of @plugconv/core (file system): safetensors files and YAML config files.
 * @packageDocumentation
 */
export * from './node/safetensors-file.js';
export * from './node/config-file.js';
export * from './node/fixture-file.js';
export * from './node/check-fixture.js';
export * from './node/atomic-write.js';
export * from './node/checkpoint-file.js';
