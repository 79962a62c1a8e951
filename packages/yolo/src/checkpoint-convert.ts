// A checkpoint's state dict as a safetensors file (ultralytics keys, PyTorch layout) with what the checkpoint
// says about the model in the metadata; browser-safe (bytes out).
import { encodeRawSafetensors, isFloatDtype, toFloat32Tensor, type Checkpoint, type CheckpointTensor, type RawTensor } from '@plugconv/core';

/** float32 to IEEE half bits, rounding to nearest even (overflow to infinity, NaN kept, subnormals rounded). */
export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 31) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      const half = 1 << (shift - 1);
      const rest = mant & ((1 << shift) - 1);
      let h = mant >>> shift;
      if (rest > half || (rest === half && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    const rest = mant & 0x1fff;
    let h = (e << 10) | (mant >>> 13);
    if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is the right rounding
    out[i] = sign | h;
  }
  return out;
}

/** A state-dict tensor as written: floating ones in F32 (or F16 with `half`), integer ones as stored. */
function rawTensor(t: CheckpointTensor, half: boolean): RawTensor {
  if (!isFloatDtype(t.dtype)) return { dtype: t.dtype, shape: t.shape, bytes: t.bytes };
  if (half && t.dtype === 'F16') return { dtype: 'F16', shape: t.shape, bytes: t.bytes };
  const f32 = toFloat32Tensor(t);
  if (!half) return { dtype: 'F32', shape: t.shape, bytes: f32.bytes };
  const h = float32ToFloat16Bits(new Float32Array(f32.bytes.buffer.slice(f32.bytes.byteOffset, f32.bytes.byteOffset + f32.bytes.byteLength)));
  return { dtype: 'F16', shape: t.shape, bytes: new Uint8Array(h.buffer) };
}

/** Options of {@link checkpointSafetensors}. */
export interface CheckpointSafetensorsOptions {
  /** Write floating tensors in F16 (default false: F32, what tfjs computes in). */
  half?: boolean;
  /** Class names to record (default: the checkpoint's). */
  names?: string[];
  /** The ultralytics semantics the model builds with ('8.2' or '8.4'), recorded as `ultralytics`. */
  semantics?: string;
}

/**
 * The checkpoint's state dict as safetensors bytes (its keys and order, PyTorch layout), with string metadata:
 * `format` pt, `source` (the checkpoint's file name), and where the checkpoint has them `names` (JSON list),
 * `yaml` (the config dict as JSON), `ultralytics_version` (the release that wrote it), `ultralytics` (the
 * semantics to build with), `task`, `stride` (JSON), `imgsz`, `date`.
 */
export function checkpointSafetensors(ck: Checkpoint, options: CheckpointSafetensorsOptions = {}): Uint8Array {
  const tensors = new Map<string, RawTensor>();
  for (const [k, t] of ck.stateDict) tensors.set(k, rawTensor(t, !!options.half));
  const names = options.names ?? ck.names;
  const semantics = options.semantics ?? ck.semantics?.version;
  const imgsz = ck.trainArgs?.imgsz;
  const meta: Record<string, string> = {
    format: 'pt',
    source: ck.source.split(/[\\/]/).pop()!,
    ...(names ? { names: JSON.stringify(names) } : {}),
    ...(ck.yaml ? { yaml: JSON.stringify(ck.yaml) } : {}),
    ...(ck.version ? { ultralytics_version: ck.version } : {}),
    ...(semantics ? { ultralytics: semantics } : {}),
    ...(ck.task !== 'unknown' ? { task: ck.task } : {}),
    ...(ck.stride ? { stride: JSON.stringify(ck.stride) } : {}),
    ...(Number.isInteger(imgsz) ? { imgsz: String(imgsz) } : {}),
    ...(ck.date ? { date: ck.date } : {}),
  };
  return encodeRawSafetensors(tensors, meta);
}
