import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, checkIntArgs, Conv2d, fuseConvBn, fuseSequentialBn, Module, Sequential, type Fusable } from '@plugconv/core';
import { RepGhostModule } from './repghost-module.js';
import { SqueezeExcite } from './squeeze-excite.js';
import { checkChannels, checkOddSize } from './validate.js';

/**
 * RepGhost's bottleneck as the reference code writes it: ghost1 = RepGhostModule(in, mid) with SiLU; for stride > 1 a
 * depthwise conv_dw (dw_kernel_size, stride) -> bn_dw; optional SqueezeExcite; ghost2 = RepGhostModule(mid,
 * out) without activation; plus the shortcut: identity when in == out and stride == 1, else depthwise conv
 * (stride) -> BN -> 1x1 conv -> BN. The residual is skipped only when `shortcut` is false AND in == out AND
 * stride == 1 (the reference code keeps the projection shortcut otherwise). Keys ghost1.*, conv_dw.weight, bn_dw.*,
 * se.*, ghost2.*, shortcut.{0,1,2,3}.*. Re-parameterisation happens in the two RepGhostModules.
 */
export class RepGhostBottleneck extends Module implements Fusable {
  /** Input channels. */
  readonly inChs: number;
  /** Hidden channels (ghost1's output). */
  readonly midChs: number;
  /** Output channels. */
  readonly outChs: number;
  /** Stride of the depthwise conv_dw and of the projection shortcut. */
  readonly stride: number;
  /**
   * The `shortcut` argument: when false, in == out and stride 1, the residual is left out (the projection shortcut
   * is kept otherwise).
   */
  readonly enableShortcut: boolean;
  /** First RepGhostModule(in, mid), with activation. */
  readonly ghost1: RepGhostModule;
  /** Depthwise conv_dw (stride > 1 only), else null. */
  readonly convDw: Conv2d | null;
  /** BN after conv_dw (stride > 1 only); null without conv_dw or once fused into it. */
  bnDw: BatchNorm2d | null;
  /** SqueezeExcite on the hidden channels when se_ratio > 0, else null. */
  readonly se: SqueezeExcite | null;
  /** Second RepGhostModule(mid, out), without activation. */
  readonly ghost2: RepGhostModule;
  /** Empty (identity) when in == out and stride == 1, else the projection Sequential. */
  readonly shortcut: Sequential;

  /**
   * The reference code's RepGhostBottleneck(in_chs, mid_chs, out_chs, dw_kernel_size=3, stride=1, se_ratio=0.0,
   * shortcut=True, reparam=True, reparam_bn=True, reparam_identity=False, deploy=False).
   */
  constructor(
    inChs: number,
    midChs: number,
    outChs: number,
    dwKernelSize = 3,
    stride = 1,
    seRatio: number | null = 0,
    shortcut = true,
    reparam = true,
    reparamBn = true,
    reparamIdentity = false,
    deploy = false,
  ) {
    super();
    checkIntArgs('RepGhostBottleneck', { in_chs: inChs, mid_chs: midChs, out_chs: outChs, dw_kernel_size: dwKernelSize, stride });
    checkOddSize('RepGhostBottleneck', 'dw_kernel_size', dwKernelSize);
    this.inChs = inChs;
    this.midChs = midChs;
    this.outChs = outChs;
    this.stride = stride;
    this.enableShortcut = shortcut;
    const pad = Math.floor((dwKernelSize - 1) / 2);
    this.ghost1 = this.addModule('ghost1', new RepGhostModule(inChs, midChs, 1, 3, 1, true, deploy, reparam && reparamBn, reparam && reparamIdentity));
    if (stride > 1) {
      this.convDw = this.addModule('conv_dw', new Conv2d(midChs, midChs, dwKernelSize, { stride, padding: pad, groups: midChs }));
      this.bnDw = this.addModule('bn_dw', new BatchNorm2d(midChs));
    } else {
      this.convDw = null;
      this.bnDw = null;
    }
    this.se = seRatio !== null && seRatio > 0 ? this.addModule('se', new SqueezeExcite(midChs, seRatio)) : null;
    this.ghost2 = this.addModule('ghost2', new RepGhostModule(midChs, outChs, 1, 3, 1, false, deploy, reparam && reparamBn, reparam && reparamIdentity));
    this.shortcut = this.addModule(
      'shortcut',
      inChs === outChs && stride === 1
        ? new Sequential()
        : new Sequential(
            new Conv2d(inChs, inChs, dwKernelSize, { stride, padding: pad, groups: inChs }),
            new BatchNorm2d(inChs),
            new Conv2d(inChs, outChs, 1),
            new BatchNorm2d(outChs),
          ),
    );
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkChannels('RepGhostBottleneck', this.inChs, x);
    return tf.tidy(() => {
      let y = this.ghost1.forward(x);
      if (this.convDw) {
        y = this.convDw.forward(y);
        if (this.bnDw) y = this.bnDw.forward(y);
      }
      if (this.se) y = this.se.forward(y);
      y = this.ghost2.forward(y);
      if (!this.enableShortcut && this.inChs === this.outChs && this.stride === 1) return y;
      return tf.add(y, this.shortcut.forward(x));
    });
  }

  /** Conv+BN folding of conv_dw/bn_dw and of the projection shortcut's two pairs (the ghost modules fuse themselves). */
  fuse(): void {
    if (this.convDw && this.bnDw) {
      fuseConvBn(this.convDw, this.bnDw);
      this.bnDw = null;
      this.setModule('bn_dw', null);
    }
    if (this.shortcut.layers.length === 4) {
      fuseSequentialBn(this.shortcut, 1);
      fuseSequentialBn(this.shortcut, 3);
    }
  }
}
