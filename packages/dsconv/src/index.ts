/**
 * @plugconv/dsconv: DSConv2D, C2f_DSConv and C3k2_DSConv for YOLOv8, YOLO11 and YOLO26 in TensorFlow.js. The
 * distribution-shifting convolution (Nascimento et al., ICCV 2019) with real VQK/KDS weight quantisation,
 * straight-through training and a bit-packed compressed form.
 * @packageDocumentation
 */

export * from './quantize.js';
export * from './straight-through.js';
export * from './dsconv.js';
export * from './dsconv2d.js';
export * from './c2f-dsconv.js';
export * from './c3k2-dsconv.js';
export * from './bitpack.js';
export * from './compress.js';
export * from './configure.js';
export { modules } from './spec.js';
