import * as tf from '@tensorflow/tfjs-core';
import { countMacs, isCountingMacs, isShapeOnly, kaimingUniform, Module, plainLayout, type ConvGeometry } from '@plugconv/core';
import { kernelSize, outputSize, perSampleConv, pickDynamicConvStrategy, strategyUnsupported, type CondConvShape, type DynamicConvStrategy } from './strategies.js';

/**
 * timm's CondConv2d: `num_experts` kernels stored as `weight` (E, c2*(c1/g)*k*k), each expert in PyTorch's
 * flattened OIHW order (the state dict keeps that layout), optional per-expert `bias` (E, c2). Called with
 * `[x, routing]`: sample b is convolved with `routing[b] @ weight` (and bias `routing[b] @ bias`).
 */
export class CondConv2d extends Module<[tf.Tensor, tf.Tensor], tf.Tensor> {
  /** Channels, kernel, geometry and number of experts. */
  readonly shape: CondConvShape;
  /** The experts' kernels (E, c2*(c1/g)*k*k), PyTorch's flattened OIHW order (key `weight`). */
  readonly weight: tf.Variable;
  /** Per-expert biases (E, c2) (key `bias`), or null. */
  readonly bias: tf.Variable | null;
  /** Per-sample convolution strategy; `auto` picks one per batch with {@link pickDynamicConvStrategy}. */
  strategy: DynamicConvStrategy | 'auto' = 'auto';

  constructor(cin: number, cout: number, k: number, geometry: ConvGeometry, experts: number, bias = false) {
    super();
    this.shape = { cin, cout, k, experts, geometry };
    const per = kernelSize(this.shape);
    const fanIn = (cin / geometry.groups) * k * k;
    // timm initialises each expert like a conv kernel of that fan-in
    this.weight = this.addParameter('weight', kaimingUniform([experts, per], fanIn), plainLayout);
    this.bias = bias ? this.addParameter('bias', kaimingUniform([experts, cout], fanIn), plainLayout) : null;
  }

  /** The strategy `forward` uses for a batch of `batch` samples. */
  strategyFor(batch: number): DynamicConvStrategy {
    return this.strategy === 'auto' ? pickDynamicConvStrategy(this.shape, batch) : this.strategy;
  }

  /** Sets the strategy (or `auto`), checking that it can run this layer. */
  setStrategy(strategy: DynamicConvStrategy | 'auto'): void {
    if (strategy !== 'auto') {
      const why = strategyUnsupported(strategy, this.shape);
      if (why) throw new Error(`CondConv2d(${this.shape.cin}->${this.shape.cout}): ${why}`);
    }
    this.strategy = strategy;
  }

  forward([x, routing]: [tf.Tensor, tf.Tensor]): tf.Tensor {
    const { cin, cout, k, experts } = this.shape;
    const groups = this.shape.geometry.groups;
    if (x.rank !== 4 || x.shape[3] !== cin) {
      throw new Error(`CondConv2d(${cin}->${cout}): expected NHWC input with ${cin} channels, got [${x.shape}]`);
    }
    const [b, h, w] = x.shape as number[];
    if (routing.rank !== 2 || routing.shape[0] !== b || routing.shape[1] !== experts) {
      throw new Error(`CondConv2d(${cin}->${cout}): routing weights must be [${b}, ${experts}] (batch, experts), got [${routing.shape}]`);
    }
    const [ho, wo] = outputSize(this.shape, h!, w!);
    if (ho < 1 || wo < 1) throw new Error(`CondConv2d(${cin}->${cout}, k=${k}): input ${h}x${w} is too small for this kernel, stride and padding`);
    if (isCountingMacs()) {
      // the FLOP rule (docs/design.md): the kernel mixing is a matmul n*E*P, the convolution out_numel*(c1/g)*k*k
      countMacs(b! * experts * kernelSize(this.shape), 'matmul');
      countMacs(b! * ho * wo * cout * (cin / groups) * k * k, 'conv');
    }
    let y: tf.Tensor4D;
    if (isShapeOnly()) y = tf.zeros([b!, ho, wo, cout]);
    else y = perSampleConv(x as tf.Tensor4D, routing as tf.Tensor2D, this.weight as tf.Tensor2D, this.shape, this.strategyFor(b!));
    if (!this.bias) return y;
    if (isCountingMacs()) countMacs(b! * cout * experts, 'matmul');
    return tf.add(y, tf.reshape(tf.matMul(routing as tf.Tensor2D, this.bias as tf.Tensor2D), [b!, 1, 1, cout]));
  }

  /** Scales every expert's kernel (and bias) per output channel, in place: folding a BatchNorm's scale. */
  scaleOutputs(scale: tf.Tensor1D): void {
    const { cout, experts } = this.shape;
    tf.tidy(() => {
      const w = tf.reshape(tf.mul(tf.reshape(this.weight, [experts, cout, -1]), tf.reshape(scale, [1, cout, 1])), [experts, -1]);
      this.weight.assign(w);
      if (this.bias) this.bias.assign(tf.mul(this.bias, scale));
    });
  }
}
