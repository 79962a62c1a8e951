import * as tf from '@tensorflow/tfjs-core';
import { activeBackend } from './active-backend.js';

// Channel concatenation and split of NHWC tensors (PyTorch's torch.cat(xs, 1) and split(sizes, 1)), the most
// frequent data movement of YOLO graphs. tfjs-backend-wasm runs both in JavaScript, one typed-array view
// (`subarray`) per pixel and input: about 1.5 MB of short-lived objects per YOLOv8n forward at 640 as deployed,
// 20 MB as built, whose garbage collection runs on V8's helper threads and takes CPU from the other workers of
// a folder run. On wasm these two kernels copy the same runs of floats inside the wasm heap with `copyWithin`
// (a memmove, no allocation). Other backends, other dtypes and other ranks take tf.concat / tf.split.

/** Kernel name of {@link concatChannels} on wasm (as tf.profile and kernel timings report it). */
export const CONCAT_CHANNELS_KERNEL = 'PlugconvConcatChannels';
/** Kernel name of {@link splitChannels} on wasm. */
export const SPLIT_CHANNELS_KERNEL = 'PlugconvSplitChannels';
const CONCAT = CONCAT_CHANNELS_KERNEL;
const SPLIT = SPLIT_CHANNELS_KERNEL;

/** The parts of tfjs-backend-wasm's backend the kernels use (the same calls its own kernels make). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** Float offset of a tensor's data in the heap, and a view of the whole heap. */
function heapOf(backend: WasmHeapBackend, t: tf.TensorInfo): { heap: Float32Array; at: number } {
  const view = backend.typedArrayFromHeap(t);
  return { heap: new Float32Array(view.buffer), at: view.byteOffset >> 2 };
}

/**
 * Copies `pixels` runs of `c` floats within `heap`: run p from `src + p * srcStride` to `dst + p * dstStride`
 * (a channel slice of every pixel, one memmove each).
 */
function copyRuns(heap: Float32Array, dst: number, dstStride: number, src: number, srcStride: number, c: number, pixels: number): void {
  for (let p = 0; p < pixels; p++) heap.copyWithin(dst + p * dstStride, src + p * srcStride, src + p * srcStride + c);
}

/** Copies each input's pixel runs (its channels) into their place in every output pixel. */
function concatKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const b = backend as WasmHeapBackend;
  const xs = Object.values(inputs) as tf.TensorInfo[];
  const [n, h, w] = xs[0]!.shape as number[];
  const total = xs.reduce((s, x) => s + x.shape[3]!, 0);
  const out = b.makeOutput([n!, h!, w!, total], 'float32');
  const pixels = n! * h! * w!;
  const { heap, at: o } = heapOf(b, out);
  let c0 = 0;
  for (const x of xs) {
    const c = x.shape[3]!;
    copyRuns(heap, o + c0, total, heapOf(b, x).at, c, c, pixels);
    c0 += c;
  }
  return out;
}

/** The inverse copy: each output takes its channel run of every input pixel. */
function splitKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const b = backend as WasmHeapBackend;
  const x = inputs.x!;
  const sizes = (attrs as { sizes: number[] }).sizes;
  const [n, h, w, total] = x.shape as number[];
  const pixels = n! * h! * w!;
  const i = heapOf(b, x).at;
  let c0 = 0;
  return sizes.map((c) => {
    const out = b.makeOutput([n!, h!, w!, c], 'float32');
    // a view taken after the allocation: growing the wasm memory replaces its buffer
    const { heap, at: o } = heapOf(b, out);
    copyRuns(heap, o, c, i + c0, total!, c, pixels);
    c0 += c;
    return out;
  });
}

let registered = false;

/** Registers the two wasm kernels and their gradients once (the split's gradient is a concat and back). */
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: CONCAT, backendName: 'wasm', kernelFunc: concatKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: SPLIT, backendName: 'wasm', kernelFunc: splitKernel as unknown as tf.KernelFunc });
  tf.registerGradient({
    kernelName: CONCAT,
    gradFunc: (dy, _saved, attrs) => {
      const parts = tf.split(dy as tf.Tensor, (attrs as unknown as { sizes: number[] }).sizes, 3);
      return Object.fromEntries(parts.map((p, k) => [String(k), () => p]));
    },
  });
  tf.registerGradient({ kernelName: SPLIT, gradFunc: (dys) => ({ x: () => tf.concat(dys as tf.Tensor[], 3) }) });
}

/** True when the fast path applies: wasm, float32, rank 4, not empty. */
function onWasmHeap(xs: tf.Tensor[]): boolean {
  return activeBackend() === 'wasm' && xs.every((x) => x.rank === 4 && x.dtype === 'float32' && x.size > 0);
}

/** `tf.concat(xs, 3)`: NHWC tensors joined along their channels (equal batch, height and width). */
export function concatChannels(xs: tf.Tensor[]): tf.Tensor {
  const [n, h, w] = xs[0]?.shape ?? [];
  if (xs.some((x) => x.rank !== 4 || x.shape[0] !== n || x.shape[1] !== h || x.shape[2] !== w)) {
    throw new Error(`concatChannels: shapes ${xs.map((t) => `[${t.shape}]`).join(', ')} do not match outside the channel axis (NHWC: batch, height and width must be equal)`);
  }
  if (xs.length < 2 || !onWasmHeap(xs)) return tf.concat(xs, 3);
  register();
  // inputs as a list, as tf.concat passes them; the sizes are for the gradient
  return tf.engine().runKernel(CONCAT, xs as unknown as tf.NamedTensorMap, { sizes: xs.map((x) => x.shape[3]!) } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** `tf.split(x, sizes, 3)`: an NHWC tensor cut into channel chunks of `sizes` (which sum to its channels). */
export function splitChannels(x: tf.Tensor, sizes: number[]): tf.Tensor[] {
  if (x.rank !== 4 || sizes.some((c) => !Number.isInteger(c) || c < 0) || sizes.reduce((a, c) => a + c, 0) !== x.shape[3]) {
    throw new Error(`splitChannels: sizes [${sizes}] do not cut the channels of [${x.shape}] (an NHWC tensor)`);
  }
  if (!onWasmHeap([x]) || sizes.some((c) => c === 0)) return tf.split(x, sizes, 3);
  register();
  return tf.engine().runKernel(SPLIT, { x }, { sizes } as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
}
