import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, isShapeOnly, type Conv2dOptions } from '@plugconv/core';
import { checkQuantization, dequantizeKernel, quantizeKernel, type QuantizedKernel } from './quantize.js';
import { straightThrough } from './straight-through.js';

/** Default bit width of DSConv2D and C2f_DSConv (what the reference fixtures use). */
export const DEFAULT_BITS = 8;

/** Default number of input channels that share one distribution shift (the reference code's `block_size`). */
export const DEFAULT_BLOCK = 32;

/** Constructor options of {@link DSConv}: Conv2d's plus the quantisation. */
export interface DSConvOptions extends Conv2dOptions {
  /** 0 (plain convolution) or 2..8; default {@link DEFAULT_BITS}. */
  bits?: number;
  /** Input channels per block (per group); default {@link DEFAULT_BLOCK}. */
  block?: number;
}

/**
 * The distribution-shifting convolution (the reference code's `DSConv(_ConvNd)`): a Conv2d whose `weight` (key `weight`,
 * PyTorch (O, I/g, kh, kw)) is a float shadow; every forward convolves with its VQK/KDS quantisation
 * alpha * I ({@link quantizeKernel}) and passes gradients straight through to the shadow. `bits` 0 is a plain
 * convolution. Any stride, padding, dilation and groups (blocks run over each group's input channels).
 */
export class DSConv extends Conv2d {
  /** Bit width of the integer kernel, 0 for none. */
  bits: number;
  /** Input channels per block. */
  block: number;
  /**
   * Set when the weight holds an already quantised kernel (loaded from the compressed form): the weight's data
   * and the options it was quantised with. While both still match, forward uses the weight as it is, so a loaded
   * model computes with exactly the stored alpha * I; any assignment to the weight (training, a state dict)
   * gives it new data and quantisation resumes. The integer kernel and alphas are kept (plain arrays, PyTorch
   * order) so that {@link quantized} returns exactly what was loaded and re-compressing does not drift.
   */
  private exact: { dataId: object; bits: number; block: number; codes: Int8Array; alpha: Float32Array; alphaShape: number[] } | null = null;

  constructor(cin: number, cout: number, k: number, options: DSConvOptions = {}) {
    const bits = options.bits ?? DEFAULT_BITS;
    const block = options.block ?? DEFAULT_BLOCK;
    checkQuantization(`DSConv(${cin}, ${cout}, k=${k})`, bits, block);
    super(cin, cout, k, options);
    this.bits = bits;
    this.block = block;
  }

  /** Changes the quantisation (the float shadow weight is kept, so this can be undone). */
  setQuantization(bits: number, block: number = this.block): void {
    checkQuantization(`DSConv(${this.cin}, ${this.cout}, k=${this.k})`, bits, block);
    this.bits = bits;
    this.block = block;
  }

  /** The shadow weight in PyTorch layout (O, I/g, kh, kw). The caller disposes it. */
  torchWeight(): tf.Tensor4D {
    return this.slot('weight').layout.toTorch(this.weight) as tf.Tensor4D;
  }

  /** The integer kernel and distribution shifts of the current weight (PyTorch layout); needs bits > 0. */
  quantized(): QuantizedKernel {
    if (this.bits === 0) throw new Error(`DSConv(${this.cin}, ${this.cout}, k=${this.k}): bits is 0, the kernel is not quantised`);
    const e = this.isExact() ? this.exact! : null;
    if (e) {
      const shape = this.slot('weight').layout.torchShape(this.weight.shape) as [number, number, number, number];
      return { codes: tf.tensor4d(Float32Array.from(e.codes), shape), alpha: tf.tensor4d(e.alpha, e.alphaShape as [number, number, number, number]) };
    }
    const w = this.torchWeight();
    try {
      return quantizeKernel(w, this.bits, this.block);
    } finally {
      w.dispose();
    }
  }

  /** The kernel forward convolves with, in the internal layout (the weight itself when bits is 0). */
  effectiveKernel(): tf.Tensor4D {
    if (this.bits === 0 || this.isExact()) return this.weight.clone() as tf.Tensor4D;
    return tf.tidy(() => {
      const { codes, alpha } = this.quantized();
      return this.slot('weight').layout.fromTorch(dequantizeKernel(codes, alpha, this.block)) as tf.Tensor4D;
    });
  }

  /**
   * Sets the weight to a quantised kernel given as integer codes and shifts (PyTorch layout), exactly, with the
   * options it was quantised with; forward then uses it unchanged until the weight is assigned again.
   */
  loadQuantized(codes: tf.Tensor4D, alpha: tf.Tensor4D, bits: number, block: number): void {
    this.setQuantization(bits, block);
    const layout = this.slot('weight').layout;
    const want = layout.torchShape(this.weight.shape);
    if (codes.shape.some((d, i) => d !== want[i])) {
      throw new Error(`DSConv(${this.cin}, ${this.cout}, k=${this.k}): integer kernel of shape [${codes.shape}] does not fit weight [${want}]`);
    }
    const kernel = tf.tidy(() => layout.fromTorch(dequantizeKernel(codes, alpha, block)));
    this.weight.assign(kernel);
    kernel.dispose();
    this.exact = { dataId: this.weight.dataId, bits, block, codes: Int8Array.from(codes.dataSync()), alpha: Float32Array.from(alpha.dataSync()), alphaShape: [...alpha.shape] };
  }

  private isExact(): boolean {
    const e = this.exact;
    return e !== null && e.dataId === this.weight.dataId && e.bits === this.bits && e.block === this.block;
  }

  /**
   * Convolves NHWC `x` with the quantised kernel alpha * I (the shadow weight itself when `bits` is 0); gradients
   * reach the shadow weight straight through.
   */
  override forward(x: tf.Tensor): tf.Tensor {
    this.checkInput(x);
    // costs do not depend on values: while only shapes are counted, skip the quantisation
    const quantize = this.bits > 0 && !isShapeOnly() && !this.isExact();
    const filter = quantize ? straightThrough(this.weight as tf.Tensor4D, () => this.effectiveKernel()) : (this.weight as tf.Tensor4D);
    const y = this.convolve(x as tf.Tensor4D, filter);
    if (quantize) filter.dispose();
    return y;
  }
}

/** Every DSConv in a module tree with its dotted name. */
export function dsconvLayers(root: { namedModules(): [string, unknown][] }): [string, DSConv][] {
  return root.namedModules().filter((e): e is [string, DSConv] => e[1] instanceof DSConv);
}
