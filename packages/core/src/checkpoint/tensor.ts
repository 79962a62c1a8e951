import * as tf from '@tensorflow/tfjs-core';
import { decodeTensorBytes, tensorFromBytes } from '../state/safetensors.js';
import { CheckpointError } from './errors.js';
import { describePy } from './python-objects.js';

/** Element types the reader rebuilds, named as safetensors names them. */
export type TorchDtype = 'F16' | 'BF16' | 'F32' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each {@link TorchDtype}. */
export const TORCH_DTYPE_BYTES: Readonly<Record<TorchDtype, number>> = { F16: 2, BF16: 2, F32: 4, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** torch's storage classes (as pickled in persistent ids) to element types; others are refused. */
export const STORAGE_DTYPES: Readonly<Record<string, TorchDtype>> = {
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
  UntypedStorage: 'U8',
};

/** A tensor read from a checkpoint: row-major, little-endian bytes of its dtype. */
export interface CheckpointTensor {
  /** Element type. */
  dtype: TorchDtype;
  /** Shape ([] for a scalar). */
  shape: number[];
  /**
   * The data, `numel * bytes per element` long, aligned to its element size. Contiguous tensors are views of
   * the archive's storage (shared with other views of it): copy before changing them.
   */
  bytes: Uint8Array;
}

/** One storage of the archive (`data/<key>`): its element type and bytes, already in little-endian order. */
export class TorchStorage {
  constructor(
    /** Its key in the archive (`data/<key>`). */
    readonly key: string,
    /** Element type. */
    readonly dtype: TorchDtype,
    /** Element count the pickle declares (checked against the bytes). */
    readonly numel: number,
    /** Its bytes (at least `numel` elements). */
    readonly bytes: Uint8Array,
  ) {}
}

/**
 * A tensor as the pickle describes it: a view (offset, shape, strides in elements) of a storage. Nothing is
 * copied until {@link TorchTensor.read}, which checks that the view fits its storage.
 */
export class TorchTensor {
  /** Whether it was pickled as an nn.Parameter (counted in a model's parameters). */
  isParameter = false;

  constructor(
    /** The storage it views. */
    readonly storage: TorchStorage,
    /** First element's index in the storage. */
    readonly offset: number,
    /** Shape. */
    readonly shape: readonly number[],
    /** Strides in elements. */
    readonly stride: readonly number[],
    /** Its `requires_grad` flag as saved. */
    readonly requiresGrad: boolean,
  ) {}

  /** Element type. */
  get dtype(): TorchDtype {
    return this.storage.dtype;
  }

  /** Element count. */
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /**
   * The tensor's elements, row-major (a view of the storage when already contiguous, else a copy). `name` (its
   * state-dict key) and `source` (the file) go in the error when the view reaches past the end of its storage;
   * a tensor over `maxBytes` (e.g. a view repeating a few elements to a huge shape) is refused before allocating.
   */
  read(name: string, source: string, maxBytes = Number.MAX_SAFE_INTEGER): CheckpointTensor {
    const { storage, offset, shape, stride, dtype } = this;
    const width = TORCH_DTYPE_BYTES[dtype];
    const numel = this.numel;
    const shapeOut = [...shape];
    if (numel === 0) return { dtype, shape: shapeOut, bytes: new Uint8Array(0) };
    const last = offset + shape.reduce((a, d, i) => a + (d - 1) * stride[i]!, 0);
    if (last >= storage.numel) {
      throw new CheckpointError(
        'bad-tensor',
        source,
        `${source}: tensor '${name}' (${dtype} [${shape.join(', ')}], offset ${offset}, stride [${stride.join(', ')}]) needs ` +
          `${last + 1} elements of storage data/${storage.key}, which holds ${storage.numel}: the file is corrupt or was edited`,
      );
    }
    if (numel * width > maxBytes) {
      throw new CheckpointError('too-large', source, `${source}: tensor '${name}' (${dtype} [${shape.join(', ')}]) takes ${numel * width} bytes, over the ${maxBytes} bytes left of the size limit`);
    }
    let contiguous = true;
    for (let i = shape.length - 1, s = 1; i >= 0; s *= shape[i]!, i--) if (shape[i] !== 1 && stride[i] !== s) contiguous = false;
    if (contiguous) return { dtype, shape: shapeOut, bytes: storage.bytes.subarray(offset * width, (offset + numel) * width) };
    const out = new Uint8Array(numel * width);
    const index = new Array<number>(shape.length).fill(0);
    for (let n = 0, at = offset; n < numel; n++) {
      out.set(storage.bytes.subarray(at * width, (at + 1) * width), n * width);
      for (let d = shape.length - 1; d >= 0; d--) {
        at += stride[d]!;
        if (++index[d]! < shape[d]!) break;
        at -= stride[d]! * shape[d]!;
        index[d] = 0;
      }
    }
    return { dtype, shape: shapeOut, bytes: out };
  }
}

/** Whether the dtype is a floating-point one (F16, BF16, F32, F64). */
export function isFloatDtype(dtype: TorchDtype): boolean {
  return dtype[0] === 'F' || dtype === 'BF16';
}

/** The tensor's values as float32, whatever its dtype (an F32 tensor's are a view of its bytes). */
export function tensorToFloat32(t: CheckpointTensor): Float32Array {
  const values = decodeTensorBytes(t.bytes, t.dtype);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** The same tensor in F32 when it is a floating-point one (F16, BF16, F64), else itself. */
export function toFloat32Tensor(t: CheckpointTensor): CheckpointTensor {
  if (!isFloatDtype(t.dtype) || t.dtype === 'F32') return t;
  const data = tensorToFloat32(t);
  return { dtype: 'F32', shape: t.shape, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Reads tensors into a state dict: each checked against its storage (errors name its key), converted to F32
 * when asked, their bytes together bounded (a file can make many views of one storage, or views that repeat a
 * few elements to a huge shape: refused before allocating).
 */
export class StateDictReader {
  /** The tensors read so far, in order. */
  readonly stateDict = new Map<string, CheckpointTensor>();
  private left: number;

  constructor(
    /** The file, for messages. */
    private readonly source: string,
    /** Most bytes the state dict's tensors may take, as stored. */
    maxBytes: number,
    /** Convert floating tensors to F32. */
    private readonly float32 = false,
  ) {
    this.left = maxBytes;
  }

  /** Reads `value` (which must be a tensor; `what` names the kind of entry in the error) under `key`. */
  add(key: string, value: unknown, what = 'entry'): void {
    if (!(value instanceof TorchTensor)) {
      throw new CheckpointError('bad-tensor', this.source, `${this.source}: ${what} '${key}' is a ${describePy(value)}, not a tensor`);
    }
    const t = value.read(key, this.source, this.left);
    this.left -= t.bytes.length;
    this.stateDict.set(key, this.float32 ? toFloat32Tensor(t) : t);
  }
}

/** A tfjs tensor of a checkpoint tensor: floating dtypes become float32, integers and bools int32. */
export function checkpointTensorToTf(t: CheckpointTensor): tf.Tensor {
  return tensorFromBytes(t.bytes, t.dtype, t.shape);
}

/** A checkpoint's state dict as tfjs tensors (PyTorch layout), ready for `Module.loadStateDict`. */
export function stateDictToTf(stateDict: ReadonlyMap<string, CheckpointTensor>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, t] of stateDict) out.set(k, checkpointTensorToTf(t));
  return out;
}
