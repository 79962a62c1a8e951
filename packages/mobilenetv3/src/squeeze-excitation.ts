import * as tf from '@tensorflow/tfjs-core';
import { AdaptiveAvgPool2d, Conv2d, Hardsigmoid, Module, ReLU } from '@plugconv/core';

/**
 * torchvision's SqueezeExcitation as MobileNetV3 uses it: scale = hardsigmoid(fc2(relu(fc1(avgpool(x))))),
 * output = scale * x. fc1/fc2 are 1x1 convs with bias. State keys `fc1.weight` (squeeze, C, 1, 1), `fc1.bias`,
 * `fc2.weight` (C, squeeze, 1, 1), `fc2.bias`. The gate is PyTorch's hard-sigmoid relu6(x+3)/6 (not the
 * blog code's Linear layers without bias and sigmoid). FLOPs: the global pool (H*W+1)*C and both 1x1 convs.
 */
export class SqueezeExcitation extends Module {
  /** Global average pool to 1x1. */
  readonly avgpool: AdaptiveAvgPool2d;
  /** 1x1 conv C -> squeeze, with bias (keys `fc1.*`). */
  readonly fc1: Conv2d;
  /** 1x1 conv squeeze -> C, with bias (keys `fc2.*`). */
  readonly fc2: Conv2d;
  /** ReLU between fc1 and fc2. */
  readonly activation: Module;
  /** The gate: PyTorch's hard-sigmoid relu6(x+3)/6. */
  readonly scaleActivation: Module;

  /**
   * @param channels input (and output) channels
   * @param squeeze hidden width (MobileNetV3: core's makeDivisibleTorchvision(channels // 4))
   */
  constructor(channels: number, squeeze: number) {
    super();
    this.avgpool = this.addModule('avgpool', new AdaptiveAvgPool2d());
    this.fc1 = this.addModule('fc1', new Conv2d(channels, squeeze, 1, { bias: true }));
    this.fc2 = this.addModule('fc2', new Conv2d(squeeze, channels, 1, { bias: true }));
    this.activation = this.addModule('activation', new ReLU());
    this.scaleActivation = this.addModule('scale_activation', new Hardsigmoid());
  }

  forward(x: tf.Tensor): tf.Tensor {
    const s = this.avgpool.forward(x);
    const scale = this.scaleActivation.forward(this.fc2.forward(this.activation.forward(this.fc1.forward(s))));
    return tf.mul(scale, x);
  }
}
