/**
 * @plugconv/saconv: Switchable Atrous Convolution (DetectoRS) for YOLOv8 in TensorFlow.js: SAConv2d, a drop-in
 * for Conv, and C2f_SAConv, with an exact polyphase path for stride 2 with dilation 3 or 6.
 * @packageDocumentation
 */
import type { ModuleSpec } from '@plugconv/core';
import { saconvModules } from './spec.js';

export * from './saconv2d.js';
export * from './c2f-saconv.js';
export * from './reflect-pad.js';
export * from './weight-standardization.js';

/** The YAML tokens this package registers (SAConv2d, C2f_SAConv), for a core `Registry`. */
export const modules: ModuleSpec[] = saconvModules;
