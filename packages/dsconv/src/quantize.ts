import * as tf from '@tensorflow/tfjs-core';

/** The largest bit width DSConv quantises to (the integer kernel then fits a signed byte). */
export const MAX_BITS = 8;

/** The smallest non-zero bit width (1 bit would leave only the levels -1 and 0). */
export const MIN_BITS = 2;

/**
 * Checks DSConv's quantisation options: `bits` is 0 (no quantisation, a plain convolution) or an integer from
 * {@link MIN_BITS} to {@link MAX_BITS}; `block` (input channels per shared scale) is a positive integer.
 * Throws an error naming `where` and the argument.
 */
export function checkQuantization(where: string, bits: unknown, block: unknown): void {
  if (!(typeof bits === 'number' && Number.isInteger(bits) && (bits === 0 || (bits >= MIN_BITS && bits <= MAX_BITS)))) {
    throw new Error(`${where}: argument 'bits' must be 0 (no quantisation) or an integer from ${MIN_BITS} to ${MAX_BITS}, got ${JSON.stringify(bits)}`);
  }
  if (!(typeof block === 'number' && Number.isInteger(block) && block >= 1)) {
    throw new Error(`${where}: argument 'block' must be a positive integer (input channels per block), got ${JSON.stringify(block)}`);
  }
}

/** Number of input-channel blocks of a kernel with `channels` input channels per group: ceil(channels / block). */
export function blockCount(channels: number, block: number): number {
  return Math.ceil(channels / block);
}

/**
 * A kernel in DSConv's quantised form (PyTorch layout): the variable-quantised kernel (VQK) `codes`, integers in
 * [-2^(bits-1), 2^(bits-1) - 1] held as float32, shape (O, I/g, kh, kw); and the kernel distribution shifts (KDS)
 * `alpha`, one float per (out channel, input-channel block, ky, kx), shape (O, ceil((I/g)/block), kh, kw), the
 * shape of the reference code's `alpha` tensor.
 */
export interface QuantizedKernel {
  /** The integer kernel I, PyTorch layout (O, I/g, kh, kw), values in [-2^(b-1), 2^(b-1) - 1]. */
  codes: tf.Tensor4D;
  /** The distribution shifts, one per (out channel, input block, ky, kx): (O, ceil((I/g)/block), kh, kw). */
  alpha: tf.Tensor4D;
}

/**
 * DSConv's VQK/KDS quantisation of a PyTorch-layout kernel (O, I/g, kh, kw), as the DSConv authors' quantiser.
 * For every group v = (out channel, block of `block` input channels, ky, kx), the last block holding the
 * remaining channels: e = v[argmax |v|] (signed; the first on ties), s = -2^(b-1) / e,
 * I = clamp(round_half_even(s * v), -2^(b-1), 2^(b-1) - 1), alpha = sum(v * I) / sum(I * I); an all-zero group
 * gets I = 0 and alpha = 0. Arithmetic is float32 in the same order as PyTorch (s first, then s * v), so
 * rounding ties land where the oracle's do.
 */
export function quantizeKernel(weight: tf.Tensor4D, bits: number, block: number): QuantizedKernel {
  checkQuantization('quantizeKernel', bits, block);
  if (bits === 0) throw new Error("quantizeKernel: argument 'bits' is 0, which means no quantisation");
  if (weight.rank !== 4) throw new Error(`quantizeKernel: expected a (O, I, kh, kw) kernel, got shape [${weight.shape}]`);
  return tf.tidy(() => {
    const [o, i, kh, kw] = weight.shape;
    const nb = blockCount(i, block);
    const half = 2 ** (bits - 1);
    // (O, kh, kw, I), zero-padded to whole blocks, then one group per row: (O*kh*kw*nb, block). Rank 2 keeps
    // every op (where, oneHot) within what the WebGL and WebGPU backends support.
    let v: tf.Tensor = tf.transpose(weight, [0, 2, 3, 1]);
    if (nb * block !== i) v = tf.pad(v, [[0, 0], [0, 0], [0, 0], [0, nb * block - i]]);
    v = tf.reshape(v, [o * kh * kw * nb, block]);
    // e: the signed value of the first largest |v| of each group (oneHot needs depth >= 2)
    const e = block === 1 ? v : tf.sum(tf.mul(v, tf.cast(tf.oneHot(tf.argMax(tf.abs(v), 1), block), 'float32')), 1, true);
    const zeroGroup = tf.equal(e, 0);
    const s = tf.where(zeroGroup, tf.zerosLike(e), tf.div(tf.scalar(-half), e));
    const codes = tf.clipByValue(tf.round(tf.mul(s, v)), -half, half - 1);
    const num = tf.sum(tf.mul(v, codes), 1);
    const den = tf.sum(tf.mul(codes, codes), 1);
    const alpha = tf.reshape(tf.where(tf.equal(den, 0), tf.zerosLike(den), tf.div(num, den)), [o, kh, kw, nb]);
    let c: tf.Tensor = tf.reshape(codes, [o, kh, kw, nb * block]);
    if (nb * block !== i) c = tf.slice(c, [0, 0, 0, 0], [o, kh, kw, i]);
    return {
      codes: tf.transpose(c, [0, 3, 1, 2]) as tf.Tensor4D,
      alpha: tf.transpose(alpha, [0, 3, 1, 2]) as tf.Tensor4D,
    };
  });
}

/**
 * The float kernel a quantised kernel stands for: alpha (expanded over each block's input channels) times the
 * integer codes, PyTorch layout (O, I/g, kh, kw). The compressed form goes through this same function, so a
 * loaded model computes with exactly the kernel the quantised model used.
 */
export function dequantizeKernel(codes: tf.Tensor4D, alpha: tf.Tensor4D, block: number): tf.Tensor4D {
  const [o, i, kh, kw] = codes.shape;
  const nb = blockCount(i, block);
  if (alpha.rank !== 4 || alpha.shape[0] !== o || alpha.shape[1] !== nb || alpha.shape[2] !== kh || alpha.shape[3] !== kw) {
    throw new Error(`dequantizeKernel: alpha of shape [${alpha.shape}] does not fit codes [${codes.shape}] with block ${block} (expected [${o},${nb},${kh},${kw}])`);
  }
  return tf.tidy(() => {
    const expanded = nb === 1 ? alpha : tf.gather(alpha, Array.from({ length: i }, (_, c) => Math.floor(c / block)), 1);
    return tf.mul(expanded, codes) as tf.Tensor4D;
  });
}

/** quantize then dequantize: the kernel DSConv convolves with (PyTorch layout). */
export function fakeQuantizeKernel(weight: tf.Tensor4D, bits: number, block: number): tf.Tensor4D {
  if (bits === 0) return weight.clone();
  const { codes, alpha } = quantizeKernel(weight, bits, block);
  try {
    return dequantizeKernel(codes, alpha, block);
  } finally {
    codes.dispose();
    alpha.dispose();
  }
}
