import * as tf from '@tensorflow/tfjs-core';
import { isShapeOnly } from '../flops.js';

/**
 * How a grouped convolution is computed. `dense`: groups == 1 (tf.conv2d). `depthwise`: groups == C_in
 * (tf.depthwiseConv2d with multiplier C_out/C_in). `split`: per-group conv2d then concat (few groups).
 * `grouped-sum`: depthwise with multiplier C_out/groups, then a sum over each group's inputs (many groups).
 * The strategy fixes the kernel's internal layout (see `kernelLayout` in nn/conv2d.ts); every strategy gives
 * PyTorch's result for any groups, stride, dilation and padding.
 */
export type ConvStrategy = 'dense' | 'depthwise' | 'split' | 'grouped-sum';

/**
 * How stride > 1 together with dilation > 1 is computed (tfjs' conv2d rejects the combination):
 * - `subsample`: the dilated convolution at stride 1, then every stride-th row and column ({@link subsample}).
 * - `polyphase`: the padded input split into its stride x stride phases; each class of kernel taps that reads
 *   one phase convolves it at stride 1 with dilation d/gcd(s,d), and the classes are summed. Computes only the
 *   kept outputs: one convolution on a 1/s^2-size input when s divides d, up to s^2 when it does not.
 * - `native`: tf.depthwiseConv2d with both (wasm's XNNPACK kernel accepts it and is exact; other backends
 *   reject it). Only for the `depthwise` strategy.
 */
export type StridedDilationMethod = 'subsample' | 'polyphase' | 'native';

/** Geometry of a PyTorch Conv2d (symmetric zero padding). */
export interface ConvGeometry {
  /** Stride (both axes). */
  stride: number;
  /** Zero padding on every side. */
  padding: number;
  /** Dilation (both axes). */
  dilation: number;
  /** Groups (1 = dense, cin = depthwise). */
  groups: number;
}

/** Options of {@link conv2dExact}. */
export interface ConvRunOptions {
  /** Force the method for stride > 1 with dilation > 1 (default: {@link pickStridedDilationMethod}). */
  stridedDilation?: StridedDilationMethod;
}

/** PyTorch's output size of a convolution along one axis. */
export function convOutSize(size: number, k: number, g: ConvGeometry): number {
  return Math.floor((size + 2 * g.padding - g.dilation * (k - 1) - 1) / g.stride) + 1;
}

/** The active tfjs backend's name, or '' when none is initialised yet (never initialises one). */
function activeBackend(): string {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? '';
}

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

/**
 * Keeps every `s`-th row and column starting at 0 (NHWC): a 1x1 max pool with stride s, which copies (no
 * arithmetic, exact) and is the fastest way on cpu and wasm (reshape + slice needs a rank-6 slice, which both
 * run element by element; stridedSlice is slow on both).
 */
export function subsample(y: tf.Tensor4D, s: number): tf.Tensor4D {
  if (s === 1) return y;
  return tf.maxPool(y, 1, s, 'valid');
}

/** The number of output channels a kernel in `strategy`'s layout produces. */
function outChannels(filter: tf.Tensor4D, groups: number, strategy: ConvStrategy): number {
  if (strategy === 'depthwise') return filter.shape[2] * filter.shape[3];
  if (strategy === 'grouped-sum') return groups * filter.shape[3];
  return filter.shape[3];
}

/**
 * One tfjs call per strategy; `stride` and `dilation` are passed through (the caller keeps one of them 1).
 * A numeric `pad` needs a square kernel: tfjs computes the output size of numeric padding from the kernel's
 * height alone (wrong shapes, and out-of-bounds reads on wasm, for kh != kw); non-square kernels use 'valid'.
 */
function convDirect(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number | 'valid', dilation: number, groups: number, strategy: ConvStrategy): tf.Tensor4D {
  if (dilation > 1 && tf.engine().isTapeOn()) return spaceToBatchConv(x, filter, pad === 'valid' ? 0 : pad, dilation, groups, strategy);
  return convCall(x, filter, stride, pad, dilation, groups, strategy);
}

/**
 * A dilated stride-1 convolution as TensorFlow's atrous conv: space-to-batch by d, an undilated 'valid'
 * convolution, batch-to-space (exact, same products). tfjs has no gradient for dilated conv2d or depthwise
 * kernels, while space/batch reshuffles and undilated convs have one, so this runs whenever gradients are
 * recorded (3-30x slower than the dilated kernel, measured, so not otherwise).
 */
function spaceToBatchConv(x: tf.Tensor4D, filter: tf.Tensor4D, pad: number, d: number, groups: number, strategy: ConvStrategy): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const eh = (d - ((h + 2 * pad) % d)) % d;
    const ew = (d - ((w + 2 * pad) % d)) % d;
    const xb = tf.spaceToBatchND(x, [d, d], [[pad, pad + eh], [pad, pad + ew]]) as tf.Tensor4D;
    const yb = convCall(xb, filter, 1, 'valid', 1, groups, strategy);
    return tf.batchToSpaceND(yb, [d, d], [[0, eh], [0, ew]]) as tf.Tensor4D;
  });
}

/** The strategy's tfjs calls, as they are (tfjs' own stride/dilation limits apply). */
function convCall(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number | 'valid', dilation: number, groups: number, strategy: ConvStrategy): tf.Tensor4D {
  switch (strategy) {
    case 'dense':
      return tf.conv2d(x, filter, stride, pad, 'NHWC', dilation);
    case 'depthwise':
      return tf.depthwiseConv2d(x, filter, stride, pad, 'NHWC', dilation);
    case 'split':
      return tf.tidy(() => {
        const xs = tf.split(x, groups, 3) as tf.Tensor4D[];
        const ws = tf.split(filter, groups, 3) as tf.Tensor4D[];
        return tf.concat(
          xs.map((xi, i) => tf.conv2d(xi, ws[i]!, stride, pad, 'NHWC', dilation)),
          3,
        ) as tf.Tensor4D;
      });
    case 'grouped-sum':
      return tf.tidy(() => {
        const [, , cin, opg] = filter.shape;
        const dw = tf.depthwiseConv2d(x, filter, stride, pad, 'NHWC', dilation);
        if (cin === groups) return dw;
        return sumGroupInputs(dw, groups, cin / groups, opg);
      });
  }
}

/**
 * The grouped-sum reduction: the depthwise output's channels are (group, input of the group, output of the
 * group); sums over the group's inputs. On cpu a matmul with a 0/1 matrix (cpu's sum over a middle axis
 * transposes element by element; the matmul is 2-7x faster); elsewhere a sum over the middle axis of a rank-3
 * view. Both add the same products.
 */
function sumGroupInputs(dw: tf.Tensor4D, groups: number, ipg: number, opg: number): tf.Tensor4D {
  const [b, h, w] = dw.shape;
  if (activeBackend() === 'cpu') {
    const ones = tf.tile(tf.eye(opg), [ipg, 1]);
    return tf.reshape(tf.matMul(tf.reshape(dw, [b * h * w * groups, ipg * opg]), ones), [b, h, w, groups * opg]);
  }
  return tf.reshape(tf.sum(tf.reshape(dw, [b * h * w * groups, ipg, opg]), 1), [b, h, w, groups * opg]);
}

/** Greatest common divisor. */
function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The taps of one kernel axis that read the same input phase: k0, k0 + s', ... and where they start. */
interface TapClass {
  taps: number[];
  /** Input phase (row/column offset modulo the stride) these taps read. */
  phase: number;
  /** First position they read in that phase, in phase coordinates. */
  offset: number;
}

/** Splits the taps 0..k-1 (dilation d, stride s) into classes that read one input phase each. */
function tapClasses(k: number, s: number, d: number): TapClass[] {
  const step = s / gcd(s, d);
  const out: TapClass[] = [];
  for (let k0 = 0; k0 < Math.min(step, k); k0++) {
    const taps: number[] = [];
    for (let t = k0; t < k; t += step) taps.push(t);
    out.push({ taps, phase: (d * k0) % s, offset: Math.floor((d * k0) / s) });
  }
  return out;
}

/**
 * Stride s with dilation d by the input's polyphase decomposition: y[i] = sum_k w[k] xp[s*i + d*k] with
 * d*k = s*q + r reads phase r at i + q; taps k0, k0 + s/gcd(s,d), ... share a phase and sit d/gcd(s,d) apart
 * in it, so each class is a stride-1 convolution with that dilation on one phase. Exact (same products).
 */
function polyphaseConv(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, strategy: ConvStrategy): tf.Tensor4D {
  return tf.tidy(() => {
    const { stride: s, dilation: d, padding: p } = g;
    const [b, h, w, c] = x.shape;
    const [kh, kw] = filter.shape;
    if (d % s === 0 && p % s === 0 && kh === kw) {
      // one class, phase 0: xp[s*i] = x[s*(i - p/s)], so padding p/s around x's phase 0 (any autopad case)
      return convDirect(subsample(x, s), filter, 1, p / s, d / s, g.groups, strategy);
    }
    const ho = convOutSize(h, kh, g);
    const wo = convOutSize(w, kw, g);
    const xp = tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
    const dp = d / gcd(s, d);
    const rows = tapClasses(kh, s, d);
    const cols = tapClasses(kw, s, d);
    const parts: tf.Tensor4D[] = [];
    for (const r of rows) {
      for (const q of cols) {
        // phase (r.phase, q.phase) of the padded input, from (offset, offset) on, as many rows/cols as read
        const lh = ho + (r.taps.length - 1) * dp;
        const lw = wo + (q.taps.length - 1) * dp;
        const top = r.phase + s * r.offset;
        const left = q.phase + s * q.offset;
        const sh = s * (lh - 1) + 1;
        const sw = s * (lw - 1) + 1;
        const whole = top === 0 && left === 0 && Math.ceil(xp.shape[1] / s) === lh && Math.ceil(xp.shape[2] / s) === lw;
        const xi = subsample(whole ? xp : tf.slice(xp, [0, top, left, 0], [b, sh, sw, c]), s);
        let wi = filter;
        if (r.taps.length !== kh) wi = tf.gather(wi, r.taps, 0);
        if (q.taps.length !== kw) wi = tf.gather(wi, q.taps, 1);
        parts.push(convDirect(xi, wi, 1, 'valid', dp, g.groups, strategy));
      }
    }
    return (parts.length === 1 ? parts[0]! : tf.addN(parts)) as tf.Tensor4D;
  });
}

/**
 * PyTorch-exact 2-D convolution in NHWC for any stride, padding, dilation and groups. `filter` is in the
 * internal layout of `strategy` (see {@link ConvStrategy}). tfjs rejects stride > 1 together with dilation
 * > 1; that case runs as {@link StridedDilationMethod} (`options.stridedDilation`, default
 * {@link pickStridedDilationMethod}).
 */
export function conv2dExact(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, strategy: ConvStrategy, options: ConvRunOptions = {}): tf.Tensor4D {
  if (isShapeOnly()) {
    const [b, h, w] = x.shape;
    return tf.zeros([b, convOutSize(h, filter.shape[0], g), convOutSize(w, filter.shape[1], g), outChannels(filter, g.groups, strategy)]);
  }
  if (g.stride === 1 || g.dilation === 1) return convDirect(x, filter, g.stride, g.padding, g.dilation, g.groups, strategy);
  const method = options.stridedDilation ?? pickStridedDilationMethod(strategy, g);
  switch (method) {
    case 'native':
      if (strategy !== 'depthwise') throw new Error(`conv2dExact: stridedDilation 'native' needs the depthwise strategy, got '${strategy}'`);
      return tf.depthwiseConv2d(x, filter, g.stride, g.padding, 'NHWC', g.dilation);
    case 'polyphase':
      return polyphaseConv(x, filter, g, strategy);
    case 'subsample':
      return tf.tidy(() => subsample(convDirect(x, filter, 1, g.padding, g.dilation, g.groups, strategy), g.stride));
  }
}
