import type * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, foldBatchNorm, Module, type Fusable } from '@plugconv/core';

/**
 * torchvision's Conv2dNormActivation as MobileNetV3 uses it: `0` Conv2d (no bias, padding (k-1)//2*d) ->
 * `1` BatchNorm2d -> `2` activation (left out when `act` is null, as torchvision does for the projection).
 * State keys `0.weight`, `1.weight`, `1.bias`, `1.running_mean`, `1.running_var`. BN eps 1e-3 (torchvision's
 * mobilenet_v3 and ultralytics agree) and momentum 0.03 (ultralytics' initialize_weights, inside a YOLO
 * model). `fuse()` folds the BN into the conv (`0.bias` appears, `1` goes).
 */
export class ConvNormActivation extends Module implements Fusable {
  /** `0`: the conv, without bias until `fuse()`. */
  readonly conv: Conv2d;
  /** `1`: the BatchNorm; null once `fuse()` folded it into the conv. */
  bn: BatchNorm2d | null;
  /** `2`: the activation, or null for none (the projection). */
  readonly act: Module | null;

  constructor(cin: number, cout: number, k: number, options: { stride?: number; groups?: number; dilation?: number; act?: Module | null } = {}) {
    super();
    const dilation = options.dilation ?? 1;
    this.conv = this.addModule('0', new Conv2d(cin, cout, k, { stride: options.stride ?? 1, padding: Math.floor((k - 1) / 2) * dilation, dilation, groups: options.groups ?? 1 }));
    this.bn = this.addModule('1', new BatchNorm2d(cout));
    this.act = options.act ? this.addModule('2', options.act) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    let y = this.conv.forward(x);
    if (this.bn) y = this.bn.forward(y);
    return this.act ? this.act.forward(y) : y;
  }

  /** Folds the BatchNorm into the conv for inference (eval-mode output unchanged). */
  fuse(): void {
    if (!this.bn) return;
    foldBatchNorm(this.conv, this.bn);
    this.conv.requiresGrad(false);
    this.bn.dispose();
    this.bn = null;
    this.setModule('1', null);
  }
}
