/**
 * @plugconv/saconv: Switchable Atrous Convolution (DetectoRS) for YOLOv8, YOLO11 and YOLO26 in TensorFlow.js:
 * SAConv2d, a drop-in for Conv, C2f_SAConv and C3k2_SAConv, with an exact polyphase path for stride 2 with
 * dilation 3 or 6.
 * @packageDocumentation
 */

export * from './saconv2d.js';
export * from './c2f-saconv.js';
export * from './c3k2-saconv.js';
export * from './reflect-pad.js';
export * from './weight-standardization.js';
export { modules } from './spec.js';
