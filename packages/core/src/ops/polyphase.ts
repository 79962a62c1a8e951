import * as tf from '@tensorflow/tfjs-core';
import { gcd } from '../math.js';
import { convOutSize, type ConvGeometry, type ConvStrategy, type DilationMode } from './conv-types.js';
import { directConv } from './direct-conv.js';

/**
 * Keeps every `s`-th row and column starting at 0 (NHWC): a 1x1 max pool with stride s, which copies (no
 * arithmetic, exact) and is the fastest way on cpu and wasm (reshape + slice needs a rank-6 slice, which both
 * run element by element; stridedSlice is slow on both).
 */
export function subsample(y: tf.Tensor4D, s: number): tf.Tensor4D {
  if (s === 1) return y;
  return tf.maxPool(y, 1, s, 'valid');
}

/** The taps of a kernel axis that read one input phase: a dilated sub-kernel, and where it reads. */
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

/**
 * Stride s with dilation d by the input's polyphase decomposition (see `StridedDilationMethod`): each class of
 * taps ({@link phaseTaps}) is a stride-1 convolution with dilation d/gcd(s,d) on one phase of the padded
 * input, and the classes are summed. Exact (the same products). When s divides d and the padding and the
 * kernel is square, one class reads phase 0, which is phase 0 of the unpadded input padded by p/s: one
 * convolution on the subsampled input. Otherwise the input is padded to a multiple of s and its phases read
 * with rank-4 slices of reshaped views (tfjs-wasm copies rank > 4 slices element by element, ~50x slower).
 */
export function polyphaseConv(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, strategy: ConvStrategy, mode: DilationMode): tf.Tensor4D {
  const { stride: s, dilation: d, padding: p } = g;
  const [kh, kw] = filter.shape;
  if (d % s === 0 && p % s === 0 && kh === kw) {
    return tf.tidy(() => directConv(subsample(x, s), filter, 1, p / s, d / s, g.groups, strategy, mode));
  }
  const [b, h, w, c] = x.shape;
  const ho = convOutSize(h, kh, g);
  const wo = convOutSize(w, kw, g);
  return tf.tidy(() => {
    // zero padding, plus up to s-1 rows/columns so the padded size is a multiple of s (never read)
    const hp = h + 2 * p;
    const wp = w + 2 * p;
    const hq = Math.ceil(hp / s) * s;
    const wq = Math.ceil(wp / s) * s;
    const padded = hp === hq && wp === wq && p === 0 ? x : tf.pad(x, [[0, 0], [p, p + hq - hp], [p, p + wq - wp], [0, 0]]);
    // (B, Hq/s, s, Wq*C): row phase ry is [:, :, ry, :]
    const byRows = tf.reshape(padded, [b, hq / s, s, wq * c]);
    const parts: tf.Tensor4D[] = [];
    for (const py of phaseTaps(kh, s, d)) {
      const rowsFilter = selectTaps(filter, 0, py);
      // the rows of the phase image the sub-kernels read for the ho outputs
      const rows = ho + py.dilation * (py.count - 1);
      // (B, rows, Wq/s, s*C): column phase rx is [:, :, :, rx*C : (rx+1)*C]
      const rowPhase = tf.reshape(tf.slice(byRows, [0, py.offset, py.phase, 0], [b, rows, 1, wq * c]), [b, rows, wq / s, s * c]);
      for (const px of phaseTaps(kw, s, d)) {
        const sub = selectTaps(rowsFilter, 1, px);
        const cols = wo + px.dilation * (px.count - 1);
        const image = tf.slice(rowPhase, [0, 0, px.offset, px.phase * c], [b, rows, cols, c]) as tf.Tensor4D;
        // one dilation serves both axes: d / gcd(d, s) for rows and columns alike
        parts.push(directConv(image, sub, 1, 0, py.dilation, g.groups, strategy, mode));
      }
    }
    return (parts.length === 1 ? parts[0]! : tf.addN(parts)) as tf.Tensor4D;
  });
}
