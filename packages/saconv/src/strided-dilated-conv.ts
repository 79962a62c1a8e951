import * as tf from '@tensorflow/tfjs-core';
import { conv2dExact, convOutSize, isShapeOnly, subsample, type ConvGeometry, type ConvStrategy } from '@plugconv/core';
import { validConv2d, type DilationMode } from './valid-conv.js';

/**
 * How a convolution with stride > 1 AND dilation > 1 (which tfjs's conv2d rejects) is computed exactly:
 * - `polyphase`: split the zero-padded input into its stride x stride phases; every kernel tap reads one phase,
 *   and the taps that read the same phase form a regular dilated sub-kernel, so the result is a sum of stride-1
 *   convolutions on the phases (one when dilation % stride == 0). Exactly the MACs of the strided output.
 * - `subsample`: the dilated convolution at stride 1, then every stride-th output (core's approach: stride^2
 *   times the MACs and the full-resolution output in memory).
 */
export type StridedDilationMethod = 'polyphase' | 'subsample';

/** Options of {@link exactConv2d}. */
export interface ExactConvOptions {
  /** Stride > 1 with dilation > 1 (default `polyphase`). */
  method?: StridedDilationMethod;
  /** Stride-1 dilated convolutions (default `auto`: differentiable while a gradient tape records). */
  dilation?: DilationMode;
}

/** Greatest common divisor of two positive integers. */
function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The taps of one phase along one axis: the sub-kernel (taps first, first + step, ...) and where it reads. */
export interface PhaseTaps {
  /** Phase (offset modulo the stride) of the padded input these taps read. */
  phase: number;
  /** First kernel tap of the phase. */
  firstTap: number;
  /** Kernel taps of the phase are firstTap, firstTap + tapStep, ... */
  tapStep: number;
  /** Number of taps. */
  count: number;
  /** Row (or column) of the phase image the first tap reads for output 0. */
  offset: number;
  /** Dilation of the sub-kernel on the phase image. */
  dilation: number;
}

/**
 * Splits the k taps of a kernel with dilation d and stride s (one axis) by the phase they read: output o,
 * tap t reads padded index s*o + d*t = s*(o + floor(d*t/s)) + (d*t mod s). Taps of one phase are
 * t0, t0 + s/gcd(d,s), ... and read the phase image at offsets q0, q0 + d/gcd(d,s), ...: a dilated sub-kernel.
 */
export function phaseTaps(k: number, stride: number, dilation: number): PhaseTaps[] {
  const g = gcd(dilation, stride);
  const tapStep = stride / g;
  const out: PhaseTaps[] = [];
  for (let t0 = 0; t0 < Math.min(k, tapStep); t0++) {
    out.push({
      phase: (dilation * t0) % stride,
      firstTap: t0,
      tapStep,
      count: Math.ceil((k - t0) / tapStep),
      offset: Math.floor((dilation * t0) / stride),
      dilation: dilation / g,
    });
  }
  return out;
}

/** Taps firstTap, firstTap + step, ... of a kernel along `axis` (0 = rows, 1 = columns of the internal layout). */
function selectTaps(filter: tf.Tensor4D, axis: 0 | 1, p: PhaseTaps): tf.Tensor4D {
  const k = filter.shape[axis];
  if (p.count === k) return filter;
  if (p.count === 1) {
    const begin = [0, 0, 0, 0];
    const size = [...filter.shape];
    begin[axis] = p.firstTap;
    size[axis] = 1;
    return tf.slice(filter, begin, size);
  }
  const idx = Array.from({ length: p.count }, (_, i) => p.firstTap + i * p.tapStep);
  return tf.gather(filter, tf.tensor1d(idx, 'int32'), axis) as tf.Tensor4D;
}

/** Zero padding on both spatial sides plus `extraH`/`extraW` rows/columns at the bottom/right. */
function zeroPad(x: tf.Tensor4D, p: number, extraH = 0, extraW = 0): tf.Tensor4D {
  if (p === 0 && extraH === 0 && extraW === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [p, p + extraH],
    [p, p + extraW],
    [0, 0],
  ]);
}

function checkFits(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): [number, number] {
  const [kh, kw] = filter.shape;
  const ho = convOutSize(x.shape[1], kh, g);
  const wo = convOutSize(x.shape[2], kw, g);
  if (ho < 1 || wo < 1) {
    throw new Error(`a ${kh}x${kw} kernel (stride ${g.stride}, dilation ${g.dilation}, padding ${g.padding}) does not fit a ${x.shape[1]}x${x.shape[2]} input`);
  }
  return [ho, wo];
}

/**
 * PyTorch-exact convolution (NHWC) with stride > 1 and dilation > 1 by the polyphase split (see
 * {@link StridedDilationMethod}). `filter` is in the internal layout of `strategy` (kernel rows and columns on
 * axes 0 and 1 in every layout), as for core's conv2dExact.
 */
export function polyphaseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, strategy: ConvStrategy, dilation: DilationMode = 'auto'): tf.Tensor4D {
  const s = g.stride;
  const d = g.dilation;
  const [kh, kw] = filter.shape;
  const [b, h, w, c] = x.shape;
  const [ho, wo] = checkFits(x, filter, g);
  return tf.tidy(() => {
    // zero padding, plus up to s-1 rows/columns so the padded size is a multiple of s (never read)
    const hp = h + 2 * g.padding;
    const wp = w + 2 * g.padding;
    const hq = Math.ceil(hp / s) * s;
    const wq = Math.ceil(wp / s) * s;
    const padded = zeroPad(x, g.padding, hq - hp, wq - wp);
    // (B, Hq/s, s, Wq*C): row phase ry is [:, :, ry, :]
    const byRows = tf.reshape(padded, [b, hq / s, s, wq * c]);
    let sum: tf.Tensor4D | null = null;
    for (const py of phaseTaps(kh, s, d)) {
      const rowsFilter = selectTaps(filter, 0, py);
      // the rows of the phase image the sub-kernels read for the ho outputs
      const rows = ho + py.dilation * (py.count - 1);
      // (B, rows, Wq/s, s*C): column phase rx is [:, :, :, rx*C : (rx+1)*C]
      const rowPhase = tf.reshape(tf.slice(byRows, [0, py.offset, py.phase, 0], [b, rows, 1, wq * c]), [b, rows, wq / s, s * c]);
      for (const px of phaseTaps(kw, s, d)) {
        const sub = selectTaps(rowsFilter, 1, px);
        const cols = wo + px.dilation * (px.count - 1);
        // rank-4 slices only: tfjs-wasm copies rank > 4 slices element by element (~50x slower)
        const image = tf.slice(rowPhase, [0, 0, px.offset, px.phase * c], [b, rows, cols, c]) as tf.Tensor4D;
        // one dilation serves both axes: it is d / gcd(d, s) for rows and columns alike
        const y = validConv2d(image, sub, py.dilation, g.groups, strategy, dilation);
        sum = sum ? (tf.add(sum, y) as tf.Tensor4D) : y;
      }
    }
    return sum!;
  });
}

/**
 * PyTorch-exact convolution (NHWC) for any stride, padding, dilation and groups, differentiable throughout
 * (tfjs 4.22 has no gradient for dilated convs; see {@link DilationMode}): undilated convs go to core's
 * conv2dExact; dilated ones are zero-padded and run 'valid', at stride 1 directly, at stride > 1 by
 * `options.method`. `filter` is square, in the internal layout of `strategy`.
 */
export function exactConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, strategy: ConvStrategy, options: ExactConvOptions = {}): tf.Tensor4D {
  if (g.dilation === 1 || isShapeOnly()) return conv2dExact(x, filter, g, strategy);
  const method = options.method ?? 'polyphase';
  if (g.stride > 1 && method === 'polyphase') return polyphaseConv2d(x, filter, g, strategy, options.dilation);
  checkFits(x, filter, g);
  return tf.tidy(() => {
    const y = validConv2d(zeroPad(x, g.padding), filter, g.dilation, g.groups, strategy, options.dilation);
    return subsample(y, g.stride);
  });
}
