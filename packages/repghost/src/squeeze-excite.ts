import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, globalAvgPool, hardSigmoid, makeDivisibleTorchvision, Module, ReLU } from '@plugconv/core';
import { checkChannels } from './validate.js';

/**
 * RepGhost's SqueezeExcite(in_chs, se_ratio=0.25) (the reference code refers to it; the definition is the RepGhost
 * repository's, GhostNet's): global average pool -> conv_reduce 1x1 (bias) to makeDivisibleTorchvision(in*ratio, 4)
 * channels -> ReLU -> conv_expand 1x1 (bias) -> hard-sigmoid gate relu6(x+3)/6 multiplied into the input.
 * Keys conv_reduce.*, conv_expand.*.
 */
export class SqueezeExcite extends Module {
  /** Channels in and out (in_chs). */
  readonly channels: number;
  /** Squeezed channels: makeDivisibleTorchvision(in_chs * se_ratio, 4) (GhostNet's _make_divisible is torchvision's). */
  readonly reduced: number;
  /** 1x1 conv with bias, channels -> reduced (keys `conv_reduce.*`). */
  readonly convReduce: Conv2d;
  /** ReLU between the two 1x1 convs. */
  readonly act1: ReLU;
  /** 1x1 conv with bias, reduced -> channels (keys `conv_expand.*`), before the hard-sigmoid gate. */
  readonly convExpand: Conv2d;

  constructor(inChs: number, seRatio = 0.25) {
    super();
    if (!(seRatio > 0)) throw new Error(`SqueezeExcite: se_ratio must be > 0, got ${seRatio}`);
    this.channels = inChs;
    this.reduced = makeDivisibleTorchvision(inChs * seRatio, 4);
    this.convReduce = this.addModule('conv_reduce', new Conv2d(inChs, this.reduced, 1, { bias: true }));
    this.act1 = this.addModule('act1', new ReLU());
    this.convExpand = this.addModule('conv_expand', new Conv2d(this.reduced, inChs, 1, { bias: true }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkChannels('SqueezeExcite', this.channels, x);
    return tf.tidy(() => {
      const s = this.convExpand.forward(this.act1.forward(this.convReduce.forward(globalAvgPool(x as tf.Tensor4D))));
      return tf.mul(x, hardSigmoid(s));
    });
  }
}
