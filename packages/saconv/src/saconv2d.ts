import * as tf from '@tensorflow/tfjs-core';
import {
  BatchNorm2d,
  Conv2d,
  Identity,
  Module,
  SiLU,
  autopad,
  checkIntArgs,
  conv2dExact,
  conv2dTorch,
  countMacs,
  globalAvgPool,
  isCountingMacs,
  kaimingUniform,
  numel,
  pickConvStrategy,
  subsample,
  type ConvGeometry,
  type ConvStrategy,
  type StridedDilationMethod,
} from '@plugconv/core';
import { reflectPad2d } from './reflect-pad.js';
import { standardizeWeight, weightMoments } from './weight-standardization.js';

/** Reflect padding of the switch's 5x5 average (keeps the map size at stride 1). */
export const SWITCH_POOL_PADDING = 2;
/** Kernel of the switch's average pool. */
export const SWITCH_POOL_KERNEL = 5;
/** The large branch's padding and dilation are this many times the small branch's. */
export const ATROUS_RATE = 3;

/**
 * Switchable Atrous Convolution (DetectoRS, https://arxiv.org/abs/2006.02334), as the reference code's SAConv2d without
 * its unused conv bias, ending in BatchNorm and SiLU so it drops in for ultralytics' Conv:
 *
 * W = weight standardised per output channel (mean, unbiased variance + 1e-5) * weight_gamma + weight_beta;
 * x += pre_context(GAP(x)); switch = 1x1 conv (stride s) over the 5x5 average of x reflect-padded by 2;
 * out = switch * conv(x, W, p, d) + (1 - switch) * conv(x, W + weight_diff, 3p, 3d);
 * out += post_context(GAP(out)); then BN and the activation.
 *
 * State keys as PyTorch: weight, weight_diff (parameters, (c2, c1/g, k, k)), weight_gamma, weight_beta
 * (buffers, (c2, 1, 1, 1)), switch.*, pre_context.*, post_context.*, bn.*. Padding autopad(k, p, d) (the
 * blog code's autopad(k, p) ignores d, which only agrees at d = 1). Both branches are exact and differentiable for
 * any stride and dilation through core's conv engine (`conv2dTorch`; stride 2 with dilation 3 or 6: the
 * polyphase split).
 */
export class SAConv2d extends Module {
  /** Input channels. */
  readonly c1: number;
  /** Output channels. */
  readonly c2: number;
  /** Kernel size (square). */
  readonly k: number;
  /** Geometry of the small (dilation d) branch; the large branch has padding and dilation x3. */
  readonly geometry: ConvGeometry;
  /** Grouped-convolution strategy of both branch convs. */
  readonly strategy: ConvStrategy;
  /** How the branches compute stride > 1 with dilation > 1 (default polyphase; see README for timings). */
  stridedDilation: StridedDilationMethod = 'polyphase';
  /** Shared kernel before standardisation, (c2, c1/g, k, k) (key `weight`). */
  readonly weight: tf.Variable;
  /** Added to the standardised kernel for the large branch (key `weight_diff`). */
  readonly weightDiff: tf.Variable;
  /** Buffer (c2, 1, 1, 1): scale after standardisation (key `weight_gamma`). */
  readonly weightGamma: tf.Variable;
  /** Buffer (c2, 1, 1, 1): shift after standardisation (key `weight_beta`). */
  readonly weightBeta: tf.Variable;
  /** The switch: 1x1 conv c1 -> 1 with bias and stride s over the 5x5 average (keys `switch.*`). */
  readonly switch: Conv2d;
  /** Global context added to the input: 1x1 conv c1 -> c1 with bias (keys `pre_context.*`). */
  readonly preContext: Conv2d;
  /** Global context added to the output: 1x1 conv c2 -> c2 with bias (keys `post_context.*`). */
  readonly postContext: Conv2d;
  /** BatchNorm after the mixed branches (keys `bn.*`). */
  readonly bn: BatchNorm2d;
  /** The activation (SiLU by default, as Conv). */
  readonly act: Module;

  constructor(c1: number, c2: number, k = 3, s = 1, p: number | null = null, g = 1, d = 1, act: boolean | Module = true) {
    super();
    checkIntArgs('SAConv2d', { c1, c2, k, s, g, d });
    if (c1 % g !== 0 || c2 % g !== 0) throw new Error(`SAConv2d: c1 ${c1} and c2 ${c2} must be divisible by groups ${g}`);
    const pad = autopad(k, p, d);
    if (2 * pad !== d * (k - 1)) {
      throw new Error(
        `SAConv2d: padding ${pad} with k=${k}, d=${d} changes the map size, so the small (padding p, dilation d) and large ` +
          `(padding 3p, dilation 3d) branches and the switch would differ in size; use an odd k and p = d*(k-1)/2`,
      );
    }
    if ((c1 / g) * k * k < 2) {
      throw new Error(`SAConv2d: weight standardisation needs at least 2 weights per output channel (unbiased variance), got c1/g*k*k = ${(c1 / g) * k * k}`);
    }
    this.c1 = c1;
    this.c2 = c2;
    this.k = k;
    this.geometry = { stride: s, padding: pad, dilation: d, groups: g };
    this.strategy = pickConvStrategy(c1, g);
    const shape = [c2, c1 / g, k, k];
    // PyTorch layout: the standardisation reduces per output channel (axis 0) whatever the conv strategy
    this.weight = this.addParameter('weight', kaimingUniform(shape, (c1 / g) * k * k));
    this.weightDiff = this.addParameter('weight_diff', tf.zeros(shape));
    this.weightGamma = this.addBuffer('weight_gamma', tf.ones([c2, 1, 1, 1]));
    this.weightBeta = this.addBuffer('weight_beta', tf.zeros([c2, 1, 1, 1]));
    this.switch = this.addModule('switch', new Conv2d(c1, 1, 1, { stride: s, bias: true }));
    this.preContext = this.addModule('pre_context', new Conv2d(c1, c1, 1, { bias: true }));
    this.postContext = this.addModule('post_context', new Conv2d(c2, c2, 1, { bias: true }));
    // the reference code's init: switch 0 weight, 1 bias (small branch only); contexts all zero
    // (in a tidy: the values assigned are temporaries the variables take their data from)
    tf.tidy(() => {
      this.switch.weight.assign(tf.zerosLike(this.switch.weight));
      this.switch.bias!.assign(tf.onesLike(this.switch.bias!));
      for (const c of [this.preContext, this.postContext]) {
        c.weight.assign(tf.zerosLike(c.weight));
        c.bias!.assign(tf.zerosLike(c.bias!));
      }
    });
    this.bn = this.addModule('bn', new BatchNorm2d(c2));
    // the reference code builds its own nn.SiLU (ultralytics' Conv.default_act does not reach it)
    this.act = this.addModule('act', act === true ? new SiLU() : act instanceof Module ? act : new Identity());
  }

  /** `SAConv2d(16, 32, k=3, s=2, d=1)`, for error messages. */
  describe(): string {
    const { stride, dilation, groups } = this.geometry;
    return `SAConv2d(${this.c1}, ${this.c2}, k=${this.k}, s=${stride}${groups > 1 ? `, g=${groups}` : ''}, d=${dilation})`;
  }

  /** The standardised kernels of both branches in PyTorch layout (O, I/g, k, k): small W and large W + weight_diff. */
  branchWeights(): {
    /** The small branch's kernel W (dilation d). */
    small: tf.Tensor4D;
    /** The large branch's kernel W + weight_diff (dilation 3d). */
    large: tf.Tensor4D;
  } {
    return tf.tidy(() => {
      const small = standardizeWeight(this.weight as tf.Tensor4D, this.weightGamma, this.weightBeta);
      return { small, large: tf.add(small, this.weightDiff) as tf.Tensor4D };
    });
  }

  /**
   * The reference code's conversion for a checkpoint without weight_gamma/weight_beta (its `_load_from_state_dict`): sets
   * weight_gamma = std and weight_beta = mean of the current weight, so the standardised kernel equals the weight.
   */
  matchWeightStatistics(): void {
    const { mean, std } = weightMoments(this.weight as tf.Tensor4D);
    this.weightGamma.assign(std);
    this.weightBeta.assign(mean);
    mean.dispose();
    std.dispose();
  }

  forward(input: tf.Tensor): tf.Tensor {
    if (input.rank !== 4 || input.shape[3] !== this.c1) {
      throw new Error(`${this.describe()}: expected an NHWC input with ${this.c1} channels, got [${input.shape}]`);
    }
    const [, h, w] = input.shape as number[];
    if (h! <= SWITCH_POOL_PADDING || w! <= SWITCH_POOL_PADDING) {
      throw new Error(
        `${this.describe()}: a ${h}x${w} feature map is too small for the switch's reflect padding of ${SWITCH_POOL_PADDING} (needs at least ${SWITCH_POOL_PADDING + 1}x${SWITCH_POOL_PADDING + 1})`,
      );
    }
    return tf.tidy(() => {
      // pre-context
      const x = tf.add(input, this.preContext.forward(globalAvgPool(input as tf.Tensor4D))) as tf.Tensor4D;
      const sw = this.switchMap(x);
      // both branches share the standardised kernel; the large one adds weight_diff and dilates x3
      const { small, large } = this.branchWeights();
      const g = this.geometry;
      const outS = this.conv(x, small, g);
      const outL = this.conv(x, large, { ...g, padding: ATROUS_RATE * g.padding, dilation: ATROUS_RATE * g.dilation });
      if (!sameShape(outS.shape, sw.shape.slice(0, 3).concat(this.c2)) || !sameShape(outS.shape, outL.shape)) {
        throw new Error(`${this.describe()}: branch outputs [${outS.shape}] and [${outL.shape}] and switch [${sw.shape}] differ in size`);
      }
      const mixed = tf.add(tf.mul(sw, outS), tf.mul(tf.sub(1, sw), outL));
      // post-context
      const out = tf.add(mixed, this.postContext.forward(globalAvgPool(mixed as tf.Tensor4D)));
      return this.act.forward(this.bn.forward(out));
    });
  }

  /**
   * switch = 1x1 conv (stride s) over the 5x5 average of x reflect-padded by 2. The 1x1 conv has one output
   * channel and commutes with the per-channel average and the reflect padding (bias included: an average of a
   * constant is the constant), so it runs first, at stride 1, and the padding and average see one channel
   * instead of c1 (exact up to float rounding; see README). Counted as the reference code computes it: the average's
   * out_numel B*H*W*c1 and the conv's B*Ho*Wo*c1.
   */
  private switchMap(x: tf.Tensor4D): tf.Tensor4D {
    const [b, h, w] = x.shape;
    const s = this.geometry.stride;
    const mixed = tf.add(conv2dExact(x, this.switch.weight as tf.Tensor4D, { stride: 1, padding: 0, dilation: 1, groups: 1 }, 'dense'), this.switch.bias!) as tf.Tensor4D;
    const pooled = tf.avgPool(reflectPad2d(mixed, SWITCH_POOL_PADDING, this.describe()), SWITCH_POOL_KERNEL, 1, 'valid');
    const sw = subsample(pooled, s);
    if (isCountingMacs()) {
      countMacs(b * h * w * this.c1);
      countMacs(numel(sw.shape) * this.c1, 'conv');
    }
    return sw;
  }

  /** One branch: core's conv over the PyTorch-layout kernel, exact and differentiable for any stride and dilation. */
  private conv(x: tf.Tensor4D, torchKernel: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
    const y = conv2dTorch(x, torchKernel, g, { strategy: this.strategy, stridedDilation: this.stridedDilation });
    if (isCountingMacs()) countMacs(numel(y.shape) * (this.c1 / g.groups) * this.k * this.k, 'conv');
    return y;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
