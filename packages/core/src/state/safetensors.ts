import * as tf from '@tensorflow/tfjs-core';

/** A safetensors problem, naming the file. */
export class SafetensorsError extends Error {
  /** Error name shown in messages. */
  override name = 'SafetensorsError';
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I8: 1, U8: 1, BOOL: 1 };
/** Header sizes above this are refused before anything is allocated (the format's own limit is 100 MB). */
export const MAX_HEADER = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Decodes IEEE half floats. */
function f16ToF32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i]!;
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const f = h & 0x3ff;
    out[i] = e === 0 ? s * 2 ** -14 * (f / 1024) : e === 31 ? (f ? NaN : s * Infinity) : s * 2 ** (e - 15) * (1 + f / 1024);
  }
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
 * Parses a safetensors buffer into named tensors (float types become float32; I32/I64/U8/BOOL int32).
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
      out.set(name, toTensor(slice, e.dtype, e.shape));
    }
  } catch (err) {
    for (const t of out.values()) t.dispose();
    throw err;
  }
  return out;
}

function toTensor(slice: Uint8Array, dtype: string, shape: number[]): tf.Tensor {
  const buf = slice.buffer;
  switch (dtype) {
    case 'F32':
      return tf.tensor(new Float32Array(buf), shape, 'float32');
    case 'F16':
      return tf.tensor(f16ToF32(new Uint16Array(buf)), shape, 'float32');
    case 'BF16':
      return tf.tensor(bf16ToF32(new Uint16Array(buf)), shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(new Float64Array(buf)), shape, 'float32');
    case 'I64':
      return tf.tensor(Int32Array.from(new BigInt64Array(buf), (v) => Number(v)), shape, 'int32');
    case 'I32':
      return tf.tensor(new Int32Array(buf), shape, 'int32');
    default:
      return tf.tensor(Int32Array.from(new Uint8Array(buf)), shape, 'int32');
  }
}

/** One tensor to write as it is: its safetensors dtype, shape and little-endian, row-major bytes. */
export interface RawTensor {
  /** safetensors dtype of the payload. */
  dtype: 'F32' | 'I32' | 'U8';
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

