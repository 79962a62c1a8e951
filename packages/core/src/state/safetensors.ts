import * as tf from '@tensorflow/tfjs-core';
import { sniffWeightsFile } from '../checkpoint/sniff.js';

/** A safetensors problem, naming the file. */
export class SafetensorsError extends Error {
  /** Error name shown in messages. */
  override name = 'SafetensorsError';
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Header sizes above this are refused before anything is allocated (the format's own limit is 100 MB). */
export const MAX_HEADER = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Every half float's value, by bit pattern (built on first use: 256 KB). */
let halfTable: Float32Array | undefined;

/** Decodes IEEE half floats (by table lookup). */
function f16ToF32(src: Uint16Array): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const s = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const f = h & 0x3ff;
      halfTable[h] = e === 0 ? s * 2 ** -14 * (f / 1024) : e === 31 ? (f ? NaN : s * Infinity) : s * 2 ** (e - 15) * (1 + f / 1024);
    }
  }
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = halfTable[src[i]!]!;
  return out;
}

/** Decodes bfloat16 (the high half of a float32). */
function bf16ToF32(src: Uint16Array): Float32Array {
  const u = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) u[i] = src[i]! << 16;
  return new Float32Array(u.buffer);
}

/** Reads and checks the length-prefixed JSON header; nothing past it is touched. */
function parseHeader(bytes: Uint8Array, source: string): { header: Record<string, HeaderEntry | Record<string, string>>; headerLen: number } {
  if (sniffWeightsFile(bytes) === 'zip') {
    throw new SafetensorsError(`${source} is a PyTorch checkpoint (a torch.save zip), not a safetensors file: read it with readCheckpoint, or give it as the model`);
  }
  if (bytes.length < 8) throw new SafetensorsError(`${source}: too short for a safetensors file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER || 8 + headerLen > bytes.length) {
    throw new SafetensorsError(`${source}: bad header length ${headerLen} (file has ${bytes.length} bytes)`);
  }
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new SafetensorsError(`${source}: header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorsError(`${source}: header is not a JSON object`);
  return { header, headerLen };
}

/** The `__metadata__` strings of a safetensors buffer ({} when it has none); errors name `source`. */
export function readSafetensorsMetadata(bytes: Uint8Array, source = '<buffer>'): Record<string, string> {
  const meta = parseHeader(bytes, source).header.__metadata__;
  return meta && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, string>) : {};
}

/**
 * Parses a safetensors buffer into named tensors (float types become float32; integer types and BOOL int32).
 * Validates the header length, JSON, dtypes, shapes and offsets against the buffer before reading data.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): Map<string, tf.Tensor> {
  const { header, headerLen } = parseHeader(bytes, source);
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const out = new Map<string, tf.Tensor>();
  try {
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const e = raw as HeaderEntry;
      const width = DTYPE_BYTES[e?.dtype];
      if (!width) throw new SafetensorsError(`${source}: tensor '${name}' has unsupported dtype ${JSON.stringify(e?.dtype)}`);
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new SafetensorsError(`${source}: tensor '${name}' has a bad shape ${JSON.stringify(e.shape)}`);
      }
      const [begin, end] = e.data_offsets ?? [];
      const count = e.shape.reduce((a, b) => a * b, 1);
      if (!Number.isInteger(begin) || !Number.isInteger(end) || begin! < 0 || end! < begin! || end! > dataLen) {
        throw new SafetensorsError(`${source}: tensor '${name}' has offsets ${JSON.stringify(e.data_offsets)} past the end of the data (${dataLen} bytes)`);
      }
      if (end! - begin! !== count * width) {
        throw new SafetensorsError(`${source}: tensor '${name}' needs ${count * width} bytes for ${e.dtype}[${e.shape}], offsets give ${end! - begin!}`);
      }
      const slice = bytes.slice(dataStart + begin!, dataStart + end!);
      out.set(name, tensorFromBytes(slice, e.dtype, e.shape));
    }
  } catch (err) {
    for (const t of out.values()) t.dispose();
    throw err;
  }
  return out;
}

/**
 * The values of little-endian, row-major bytes of a safetensors dtype (F32, F16, BF16, F64, I64, I32, I16, I8,
 * U8, BOOL), aligned to the element size: floating types as float32 (F32 as a view of the bytes), integer types
 * and BOOL as int32.
 */
export function decodeTensorBytes(bytes: Uint8Array, dtype: string): Float32Array | Int32Array {
  const as = <T>(make: new (b: ArrayBufferLike, o: number, n: number) => T, width: number): T => new make(bytes.buffer, bytes.byteOffset, bytes.length / width);
  switch (dtype) {
    case 'F32':
      return as(Float32Array, 4);
    case 'F16':
      return f16ToF32(as(Uint16Array, 2));
    case 'BF16':
      return bf16ToF32(as(Uint16Array, 2));
    case 'F64':
      return Float32Array.from(as(Float64Array, 8));
    case 'I64':
      return Int32Array.from(as(BigInt64Array, 8), (v) => Number(v));
    case 'I32':
      return as(Int32Array, 4);
    case 'I16':
      return Int32Array.from(as(Int16Array, 2));
    case 'I8':
      return Int32Array.from(as(Int8Array, 1));
    default:
      return Int32Array.from(bytes);
  }
}

/** A tfjs tensor of such bytes ({@link decodeTensorBytes}): float32 for floating types, else int32. */
export function tensorFromBytes(bytes: Uint8Array, dtype: string, shape: number[]): tf.Tensor {
  const values = decodeTensorBytes(bytes, dtype);
  return tf.tensor(values, shape, values instanceof Float32Array ? 'float32' : 'int32');
}

/** One tensor to write as it is: its safetensors dtype, shape and little-endian, row-major bytes. */
export interface RawTensor {
  /** safetensors dtype of the payload. */
  dtype: 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';
  /** Tensor shape. */
  shape: number[];
  /** The data, little-endian, row-major. */
  bytes: Uint8Array;
}

/**
 * Encodes raw tensors (in the given order) and string metadata as safetensors, header padded to 8 bytes. For
 * payloads tfjs tensors do not hold, such as DSConv's bit-packed integer kernels (U8).
 */
export function encodeRawSafetensors(tensors: Map<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]!;
    if (expected !== t.bytes.length) throw new SafetensorsError(`'${name}' is ${t.dtype}[${t.shape}] (${expected} bytes) but has ${t.bytes.length} bytes`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const headBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headBytes.length), true);
  out.set(headBytes, 8);
  let p = 8 + headBytes.length;
  for (const t of tensors.values()) {
    out.set(t.bytes, p);
    p += t.bytes.length;
  }
  return out;
}

/** Encodes float32/int32 tensors as safetensors (F32/I32), keys in the given order, 8-byte aligned header. */
export function encodeSafetensors(tensors: Map<string, tf.Tensor>, metadata?: Record<string, string>): Uint8Array {
  const raw = new Map<string, RawTensor>();
  for (const [name, t] of tensors) {
    const data = t.dtype === 'int32' ? new Int32Array(t.dataSync() as Int32Array) : new Float32Array(t.dataSync() as Float32Array);
    raw.set(name, { dtype: t.dtype === 'int32' ? 'I32' : 'F32', shape: t.shape, bytes: new Uint8Array(data.buffer) });
  }
  return encodeRawSafetensors(raw, metadata);
}

