/**
 * A small safetensors writer for raw byte payloads. Core's encoder writes float32/int32 tensors only; the
 * compressed form needs U8 (packed integer kernels) beside F32, plus string metadata. Files it writes are plain
 * safetensors: core's decoder (and Python's `safetensors`) read them.
 */

/** One tensor to write: its safetensors dtype, shape and little-endian bytes. */
export interface RawTensor {
  /** safetensors dtype: float32 or unsigned bytes. */
  dtype: 'F32' | 'U8';
  /** Tensor shape. */
  shape: number[];
  /** The data, little-endian, row-major. */
  bytes: Uint8Array;
}

const WIDTH: Record<RawTensor['dtype'], number> = { F32: 4, U8: 1 };

/** Encodes named raw tensors (in the given order) and string metadata as a safetensors buffer. */
export function encodeRawSafetensors(tensors: Map<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count * WIDTH[t.dtype] !== t.bytes.length) {
      throw new Error(`encodeRawSafetensors: '${name}' is ${t.dtype}[${t.shape}] (${count * WIDTH[t.dtype]} bytes) but has ${t.bytes.length} bytes`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const t of tensors.values()) {
    out.set(t.bytes, p);
    p += t.bytes.length;
  }
  return out;
}

/** The `__metadata__` of a safetensors buffer ({} when it has none); errors name `source`. */
export function readSafetensorsMetadata(bytes: Uint8Array, source = '<buffer>'): Record<string, string> {
  if (bytes.length < 8) throw new Error(`${source}: too short for a safetensors file (${bytes.length} bytes)`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error(`${source}: bad header length ${n} (file has ${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${source}: header is not valid JSON (${(e as Error).message})`);
  }
  const meta = (header as Record<string, unknown> | null)?.__metadata__;
  return meta && typeof meta === 'object' ? (meta as Record<string, string>) : {};
}

/** Little-endian bytes of a float32 array (a copy). */
export function float32Bytes(data: Float32Array): Uint8Array {
  return new Uint8Array(Float32Array.from(data).buffer);
}
