// What the module packages' figures tests derive reference counts with, independently of the module under test:
// ultralytics' own fuse rule, and a base model's parameters with its bottlenecks swapped by a closed formula.
import { Bottleneck, Conv, Detect, type DetectionModel } from '@plugconv/core';

/**
 * ultralytics' fuse(): folds the BatchNorm of every Conv (its subclasses included: DWConv, DSConv2D) and drops an
 * end2end head's one-to-many branch, and touches nothing else. plugconv's `fuse()` folds every Fusable module, so a
 * module ultralytics does not know (DynamicConv, RepGhostModule) keeps its BatchNorms here and loses them there; this
 * gives the fused parameter counts ultralytics prints.
 */
export function ultralyticsFuse(model: DetectionModel): void {
  for (const [, m] of model.namedModules()) if (m instanceof Conv || m instanceof Detect) m.fuse();
}

/**
 * The parameters of `base` with every ultralytics Bottleneck in it replaced by a block of `perBlock(c)` parameters,
 * c the bottleneck's width (its output channels). In YOLO11 and YOLO26 these are the Bottlenecks of the C3k2 blocks
 * (direct, inside C3k, before PSABlock), so this is a C3k2 variant's count derived from the base model's.
 */
export function swappedBottleneckParams(base: DetectionModel, perBlock: (c: number) => number): number {
  return base.namedModules().reduce((n, [, m]) => (m instanceof Bottleneck ? n - m.numParams() + perBlock(m.cv2.conv.cout) : n), base.numParams());
}
