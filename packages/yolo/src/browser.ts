// The browser-safe part of @plugconv/yolo, for bundlers (`@plugconv/yolo/browser`, or the package root under
// the `browser` export condition): every module registered, the predict pipeline as ultralytics runs it
// (letterbox, forward, NMS, scale back, drawing) and latency measurement. Nothing here imports Node (no fs,
// path or worker threads); configs come in as YAML text (`parseYoloConfig` + `buildModel` from @plugconv/core),
// weights as bytes (`decodeSafetensors`), ultralytics checkpoints as bytes (`loadCheckpoint`).

export { registry } from './registry.generated.js';
export * from './predict/image.js';
export * from './predict/detection.js';
export * from './predict/resize.js';
export * from './predict/letterbox.js';
export * from './predict/nms.js';
export * from './predict/scale-boxes.js';
export * from './predict/predict.js';
export * from './predict/coco.js';
export * from './predict/draw.js';
export * from './predict/font.js';
export * from './predict/weights.js';
export * from './checkpoint.js';
export * from './latency.js';
export * from './config-order.js';
