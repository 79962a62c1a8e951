/**
 * @plugconv/dwconv: DWSConv, a dilated depthwise-separable convolution that drops in for ultralytics' Conv
 * in YOLOv8 YAMLs.
 * @packageDocumentation
 */
export { DWSConv } from './dwsconv.js';
export { modules } from './spec.js';
