import * as tf from '@tensorflow/tfjs-core';
import { concatChannels, splitChannels } from '../ops/channels.js';
import { releaseIntermediate } from '../ops/release.js';
import type { Module } from '../nn/module.js';
import { Conv2d } from '../nn/conv2d.js';
import { isCountingMacs } from '../flops.js';
import { activeBackend } from '../ops/active-backend.js';
import { Conv } from './conv.js';

/** Channel counts of PyTorch's chunk(n, 1) of c channels: ceil(c / n) each, the last one what is left. */
export function chunkSizes(c: number, n: number): number[] {
  const size = Math.ceil(c / n);
  const sizes: number[] = [];
  for (let left = c; left > 0; left -= size) sizes.push(Math.min(size, left));
  return sizes;
}

/** The cached kernel slices of one conv, valid while its weight and bias are the tensors they were cut from. */
interface Slices {
  weight: object;
  bias: object;
  key: string;
  kernels: tf.Tensor4D[];
  biases: tf.Tensor1D[];
}

/**
 * The channel splits and concatenations of CSP blocks (C2f, C3k2, C3, C2PSA, A2C2f), folded into the 1x1 Convs
 * around them once those are deployed (BatchNorm folded in):
 * - `split(cv1, x, sizes)` = chunks of cv1(x): one conv per chunk with the matching output channels of cv1's
 *   kernel and bias;
 * - `concat(cv2, pieces)` = cv2(cat(pieces)): the sum of one conv per piece with the matching input channels of
 *   cv2's kernel (the bias added once, the activation after the sum).
 *
 * Same products, added in another order (float rounding only). On tfjs-backend-wasm a channel concat copies
 * pixel by pixel in JavaScript and a channel slice runs a scalar loop, while XNNPACK's convolutions are fast:
 * measured on YOLO11n/YOLO26n at 640 (see packages/yolo/BENCHMARK.md). Other backends, modules that are not a
 * fused 1x1 {@link Conv}, recorded gradients and FLOP counting take the plain split and concat. The kernel slices
 * are cut once and kept until the conv's weights change; the owning block frees them in its `dispose()`.
 */
export class ChannelPieces {
  private readonly cache = new Map<Conv, Slices>();

  /** `conv(x)` split into channel chunks of `sizes`. */
  split(conv: Module, x: tf.Tensor, sizes: number[]): tf.Tensor[] {
    // a copy: tfjs' tape keeps the list split returns, and callers append to theirs
    if (!foldable(conv)) return [...splitChannels(conv.forward(x) as tf.Tensor, sizes)];
    const { kernels, biases } = this.slices(conv, 'out', sizes);
    return kernels.map((filter, i) => activate(conv, tf.fused.conv2d({ x: x as tf.Tensor4D, filter, bias: biases[i], strides: 1, pad: 'valid' })));
  }

  /** `conv` applied to the channel concatenation of `pieces`. */
  concat(conv: Module, pieces: tf.Tensor[]): tf.Tensor {
    if (!foldable(conv) || pieces.length < 2) return conv.forward(concatChannels(pieces)) as tf.Tensor;
    const { kernels } = this.slices(
      conv,
      'in',
      pieces.map((p) => p.shape[3]!),
    );
    let y: tf.Tensor = tf.fused.conv2d({ x: pieces[0] as tf.Tensor4D, filter: kernels[0]!, bias: conv.conv.bias!, strides: 1, pad: 'valid' });
    for (let i = 1; i < pieces.length; i++) {
      const term = tf.conv2d(pieces[i] as tf.Tensor4D, kernels[i]!, 1, 'valid');
      const sum = tf.add(y, term);
      releaseIntermediate(y, sum);
      releaseIntermediate(term, sum);
      y = sum;
    }
    return activate(conv, y);
  }

  /** Frees the cached kernel slices. */
  dispose(): void {
    for (const s of this.cache.values()) tf.dispose([...s.kernels, ...s.biases]);
    this.cache.clear();
  }

  /** The kernel (and bias) of `conv` cut along its output (`out`) or input (`in`) channels into `sizes`. */
  private slices(conv: FoldableConv, axis: 'out' | 'in', sizes: number[]): Slices {
    const { weight, bias } = conv.conv;
    const key = `${axis}:${sizes.join(',')}`;
    const cached = this.cache.get(conv);
    if (cached && cached.weight === weight.dataId && cached.bias === bias!.dataId && cached.key === key) return cached;
    if (cached) tf.dispose([...cached.kernels, ...cached.biases]);
    // cut inside the caller's tidy (a forward): kept until the weights change or the block is disposed
    const kernels = tf.split(weight, sizes, axis === 'out' ? 3 : 2).map((t) => tf.keep(t)) as tf.Tensor4D[];
    const biases = axis === 'out' ? (tf.split(bias!, sizes).map((t) => tf.keep(t)) as tf.Tensor1D[]) : [];
    const entry: Slices = { weight: weight.dataId, bias: bias!.dataId, key, kernels, biases };
    this.cache.set(conv, entry);
    return entry;
  }
}

/** The conv's activation on its pre-activation map `y`, which is freed once used. */
function activate(conv: FoldableConv, y: tf.Tensor): tf.Tensor {
  const out = conv.act.forward(y) as tf.Tensor;
  releaseIntermediate(y, out);
  return out;
}

/** A {@link Conv} whose conv is a plain dense Conv2d with a bias (its BatchNorm folded in). */
type FoldableConv = Conv & { conv: Conv2d & { bias: tf.Variable } };

/** Whether `m` is a deployed 1x1 Conv the pieces can be folded into, here and now. */
function foldable(m: Module): m is FoldableConv {
  if (!(m instanceof Conv) || m.bn || !m.conv.bias || m.conv.constructor !== Conv2d) return false;
  const { k, geometry: g, strategy } = m.conv;
  if (k !== 1 || g.stride !== 1 || g.padding !== 0 || g.dilation !== 1 || strategy !== 'dense') return false;
  return activeBackend() === 'wasm' && !isCountingMacs() && !tf.engine().isTapeOn();
}
