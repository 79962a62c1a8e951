/**
 * @plugconv/dynamicconv: ParameterNet's DynamicConv (CVPR 2024) for YOLOv8, YOLO11 and YOLO26 in TensorFlow.js:
 * a mixture of expert kernels routed per sample (timm's CondConv2d), the Conv-compatible DynamicConv,
 * C2f_DynamicConv, C2f_GhostModule_DynamicConv and their C3k2 forms (C3k2_DynamicConv,
 * C3k2_GhostModule_DynamicConv), with fast per-sample convolution strategies for batches.
 * @packageDocumentation
 */

export * from './strategies.js';
export * from './cond-conv2d.js';
export * from './dynamic-conv2d.js';
export * from './dynamic-conv.js';
export * from './c2f-dynamic-conv.js';
export * from './ghost-module.js';
export * from './c3k2-dynamic-conv.js';
export * from './set-strategy.js';
export { modules } from './spec.js';
