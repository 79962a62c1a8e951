/**
 * The predict pipeline as ultralytics runs it (letterbox, forward, NMS, scale back) and its image helpers.
 * Browser-safe; Node file helpers are in image-io.ts.
 */
export * from './image.js';
export * from './detection.js';
export * from './resize.js';
export * from './letterbox.js';
export * from './nms.js';
export * from './scale-boxes.js';
export * from './predict.js';
export * from './coco.js';
export * from './draw.js';
export * from './font.js';
export * from './weights.js';
