/**
 * @plugconv/mobilenetv3: MobileNetV3's inverted residual block (torchvision-exact, with squeeze-and-excitation
 * and PyTorch's hard-swish / hard-sigmoid) for YOLOv8 YAML backbones.
 * @packageDocumentation
 */
export { MobileNetV3Block } from './mobilenetv3-block.js';
export { SqueezeExcitation } from './squeeze-excitation.js';
export { ConvNormActivation } from './conv-norm-activation.js';
export { makeActivation, type MobileNetV3Activation } from './activation.js';
export { hardSwish, hardSigmoid, Hardswish, Hardsigmoid } from '@plugconv/core';
export { modules } from './spec.js';
