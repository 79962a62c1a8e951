import * as tf from '@tensorflow/tfjs-core';
import { isShapeOnly } from '../flops.js';
import { activeBackend } from './active-backend.js';
import { convOutSize, type ConvGeometry, type ConvRunOptions, type ConvStrategy, type StridedDilationMethod } from './conv-types.js';
import { directConv, fusedBiasConv, tfjsPadding } from './direct-conv.js';
import { kernelLayout } from './kernel-layout.js';
import { polyphaseConv, subsample } from './polyphase.js';

/**
 * The fastest exact strategy for a grouped convolution, measured on wasm and cpu (table and script in
 * packages/dwconv: README.md, bench/conv-strategies.mjs). groups == 1: `dense`; groups == C_in: `depthwise`.
 * Otherwise `split` while the groups are few and wide, `grouped-sum` once they are many or narrow (its
 * depthwise output is C_in/groups times the final one): on wasm (and any other backend) `split` for up to 4
 * groups, or 8 with at least 32 input channels each; on cpu for 2 groups, or up to 8 with at least 16 each.
 * `backend` defaults to the active one; the choice only affects speed (every strategy is exact), and a module
 * keeps it when the backend changes.
 */
export function pickConvStrategy(cin: number, groups: number, backend: string = activeBackend()): ConvStrategy {
  if (groups === 1) return 'dense';
  if (groups === cin) return 'depthwise';
  const perGroup = cin / groups;
  const split = backend === 'cpu' ? groups <= 2 || (groups <= 8 && perGroup >= 16) : groups <= 4 || (groups <= 8 && perGroup >= 32);
  return split ? 'split' : 'grouped-sum';
}

/**
 * The fastest exact way to run stride > 1 with dilation > 1 (measured, see {@link pickConvStrategy}):
 * - a depthwise kernel on wasm: `native`;
 * - the stride divides the dilation: `polyphase` (one convolution on the input's phase 0, 1/s^2 of the work;
 *   3-8x faster than `subsample` on cpu and wasm);
 * - otherwise `polyphase` for dense and grouped kernels on wasm and GPUs (four small convolutions still beat
 *   one at full resolution) and `subsample` for depthwise kernels and on cpu (the phase slices cost more than
 *   they save there).
 */
export function pickStridedDilationMethod(strategy: ConvStrategy, g: ConvGeometry, backend: string = activeBackend()): StridedDilationMethod {
  if (strategy === 'depthwise' && backend === 'wasm') return 'native';
  if (g.dilation % g.stride === 0) return 'polyphase';
  return strategy === 'depthwise' || backend === 'cpu' ? 'subsample' : 'polyphase';
}

/** The number of output channels a kernel in `strategy`'s layout produces. */
function outChannels(filter: tf.Tensor4D, groups: number, strategy: ConvStrategy): number {
  if (strategy === 'depthwise') return filter.shape[2] * filter.shape[3];
  if (strategy === 'grouped-sum') return groups * filter.shape[3];
  return filter.shape[3];
}

/**
 * PyTorch-exact 2-D convolution in NHWC for any stride, padding, dilation and groups, without bias. `filter`
 * is in the internal layout of `strategy` (see {@link ConvStrategy} and {@link kernelLayout}; rows and columns
 * on axes 0 and 1, which may differ). tfjs rejects stride > 1 together with dilation > 1; that case runs as
 * `options.stridedDilation` (default {@link pickStridedDilationMethod}). Dilated convolutions are
 * differentiable by default (`options.dilationMode`). Throws naming the sizes when the kernel does not fit the
 * padded input; while FLOPs are counted shape-only, returns zeros of the output's shape.
 */
export function conv2dExact(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, strategy: ConvStrategy, options: ConvRunOptions = {}): tf.Tensor4D {
  const [b, h, w] = x.shape;
  const [kh, kw] = filter.shape;
  const ho = convOutSize(h, kh, g);
  const wo = convOutSize(w, kw, g);
  if (ho < 1 || wo < 1) {
    throw new Error(`a ${kh}x${kw} kernel (stride ${g.stride}, dilation ${g.dilation}, padding ${g.padding}) does not fit a ${h}x${w} input`);
  }
  if (isShapeOnly()) return tf.zeros([b, ho, wo, outChannels(filter, g.groups, strategy)]);
  const mode = options.dilationMode ?? 'auto';
  if (g.stride === 1 || g.dilation === 1) return directConv(x, filter, g.stride, g.padding, g.dilation, g.groups, strategy, mode);
  const method = options.stridedDilation ?? pickStridedDilationMethod(strategy, g);
  switch (method) {
    case 'native':
      if (strategy !== 'depthwise') throw new Error(`conv2dExact: stridedDilation 'native' needs the depthwise strategy, got '${strategy}'`);
      return tf.tidy(() => {
        const [xin, pad] = tfjsPadding(x, filter, g.padding);
        return tf.depthwiseConv2d(xin, filter, g.stride, pad, 'NHWC', g.dilation);
      });
    case 'polyphase':
      return polyphaseConv(x, filter, g, strategy, mode);
    case 'subsample':
      return tf.tidy(() => subsample(directConv(x, filter, 1, g.padding, g.dilation, g.groups, strategy, mode), g.stride));
  }
}

/**
 * {@link conv2dExact} plus a per-output-channel `bias` (cout). Dense and depthwise kernels that tfjs computes
 * directly take its fused convolution, the bias added inside the kernel (XNNPACK adds it in the accumulator on
 * wasm: one kernel instead of two, measured on YOLO nets, see packages/yolo/BENCHMARK.md); every other case is
 * conv2dExact then an add. Differentiable like conv2dExact.
 */
export function conv2dExactBias(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, strategy: ConvStrategy, bias: tf.Tensor1D, options: ConvRunOptions = {}): tf.Tensor4D {
  if (!isShapeOnly() && (g.stride === 1 || g.dilation === 1)) {
    const fused = fusedBiasConv(x, filter, g.stride, g.padding, g.dilation, strategy, options.dilationMode ?? 'auto', bias);
    if (fused) return fused;
  }
  return tf.tidy(() => tf.add(conv2dExact(x, filter, g, strategy, options), bias) as tf.Tensor4D);
}

/** Options of {@link conv2dTorch}: the engine's, plus the strategy. */
export interface TorchConvOptions extends ConvRunOptions {
  /** The grouped-convolution strategy (default: {@link pickConvStrategy} for the channels and groups). */
  strategy?: ConvStrategy;
}

/**
 * PyTorch's F.conv2d(x, weight, None, stride, padding, dilation, groups) for a kernel the caller computes
 * (standardised, mixed per sample, quantised, ...): NHWC `x`, `weight` in PyTorch layout (O, I/g, kh, kw).
 * The kernel is converted to the layout of `strategy` (default {@link pickConvStrategy} for its channels) and
 * run by {@link conv2dExact}; differentiable in both `x` and `weight`.
 */
export function conv2dTorch(x: tf.Tensor4D, weight: tf.Tensor4D, g: ConvGeometry, options: TorchConvOptions = {}): tf.Tensor4D {
  const cin = x.shape[3];
  const [cout, ipg] = weight.shape;
  if (ipg * g.groups !== cin) {
    throw new Error(`conv2dTorch: a weight of shape [${weight.shape}] with groups ${g.groups} needs ${ipg * g.groups} input channels, got ${cin}`);
  }
  const strategy = options.strategy ?? pickConvStrategy(cin, g.groups);
  return tf.tidy(() => {
    const filter = kernelLayout(cin, cout, weight.shape[2], g.groups, strategy).layout.fromTorch(weight) as tf.Tensor4D;
    return conv2dExact(x, filter, g, strategy, options);
  });
}
