/**
 * @plugconv/yolo: YOLOv8 with every plugconv module registered, the shipped configs, and the `plugconv` CLI.
 * @packageDocumentation
 */
export { registry } from './registry.generated.js';
export * from './configs.js';
