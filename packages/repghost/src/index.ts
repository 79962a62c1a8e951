/**
 * @plugconv/repghost: RepGhost (Chen et al. 2022, https://arxiv.org/abs/2211.06088) for YOLOv8, YOLO11 and
 * YOLO26 in TensorFlow.js: RepGhostModule (Ghost's concat replaced by an added BN branch), RepGhostBottleneck
 * (stride 1 and 2, SE, shortcut), C2f_RepGhost and C3k2_RepGhost, with structural re-parameterisation
 * (`switchToDeploy()`, applied to a whole model by core's `deploy()`).
 * @packageDocumentation
 */

export * from './fold.js';
export * from './squeeze-excite.js';
export * from './repghost-module.js';
export * from './repghost-bottleneck.js';
export * from './c2f-repghost.js';
export * from './c3k2-repghost.js';
export { modules } from './spec.js';
