import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, encodeRawSafetensors, readSafetensorsMetadata, type Module, type RawTensor } from '@plugconv/core';
import { packBits, unpackBits } from './bitpack.js';
import { dsconvLayers } from './dsconv.js';
import { blockCount, checkQuantization } from './quantize.js';

/** Little-endian bytes of a float32 array (a copy). */
function float32Bytes(data: Float32Array): Uint8Array {
  return new Uint8Array(Float32Array.from(data).buffer);
}

/** The value of the `format` metadata entry of a compressed file. */
export const COMPRESSED_FORMAT = 'plugconv-dsconv/1';

/** A DSConv layer's quantisation as stored with the compressed form. */
export interface DSConvLayerConfig {
  /** Bit width of the integer kernel (0 = not quantised, stored as float). */
  bits: number;
  /** Input channels per block. */
  block: number;
}

/** A quantised DSConv kernel in storage form. */
export interface PackedKernel {
  /** Bit width of each packed integer (2..8). */
  bits: number;
  /** Input channels per block. */
  block: number;
  /** PyTorch kernel shape (O, I/g, kh, kw). */
  shape: [number, number, number, number];
  /** The integer kernel, (O, I/g, kh, kw) order, packed in `bits` bits per value ({@link packBits}). */
  codes: Uint8Array;
  /** The distribution shifts, (O, ceil((I/g)/block), kh, kw) order. */
  alpha: Float32Array;
}

/** A float32 tensor in PyTorch layout. */
export interface FloatTensor {
  /** PyTorch shape. */
  shape: number[];
  /** Values, row-major. */
  data: Float32Array;
}

/**
 * A module's weights with every quantised DSConv kernel stored as packed integers plus float alphas
 * (everything else float32). Plain data: nothing to dispose.
 */
export interface CompressedWeights {
  /** Every DSConv of the module (by its dotted name) with its bits and block, bits 0 included. */
  layers: Map<string, DSConvLayerConfig>;
  /** Conv weight state key (`model.1.conv.weight`) -> packed kernel, for the DSConvs with bits > 0. */
  kernels: Map<string, PackedKernel>;
  /** Every other state entry (BatchNorms, plain convs, Detect, unquantised DSConvs), PyTorch layout. */
  floats: Map<string, FloatTensor>;
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
const stem = (weightKey: string) => weightKey.replace(/(^|\.)weight$/, '');

/**
 * Compresses a module or a whole model: each DSConv with bits > 0 is stored as its integer kernel packed in
 * `bits` bits plus its float32 alphas; all other state stays float32. {@link loadCompressed} restores outputs
 * identical to the quantised module's.
 */
export function compress(module: Module<any, any>): CompressedWeights {
  const layers = new Map<string, DSConvLayerConfig>();
  const kernels = new Map<string, PackedKernel>();
  const floats = new Map<string, FloatTensor>();
  const quantizedKeys = new Set<string>();
  for (const [name, m] of dsconvLayers(module)) {
    layers.set(name, { bits: m.bits, block: m.block });
    if (m.bits === 0) continue;
    const key = join(name, 'weight');
    const { codes, alpha } = m.quantized();
    try {
      kernels.set(key, {
        bits: m.bits,
        block: m.block,
        shape: codes.shape as [number, number, number, number],
        codes: packBits(codes.dataSync(), m.bits),
        alpha: Float32Array.from(alpha.dataSync()),
      });
    } finally {
      codes.dispose();
      alpha.dispose();
    }
    quantizedKeys.add(key);
  }
  const sd = module.stateDict();
  for (const [key, t] of sd) {
    if (!quantizedKeys.has(key)) floats.set(key, { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) });
    t.dispose();
  }
  return { layers, kernels, floats };
}

/**
 * The compressed form as a safetensors file: float state under its keys (F32); per quantised kernel
 * `<layer>.intweight` (U8, the packed codes) and `<layer>.alpha` (F32, the reference code's alpha shape); the layers'
 * bits, block and kernel shapes in the metadata.
 */
export function encodeCompressed(c: CompressedWeights): Uint8Array {
  const tensors = new Map<string, RawTensor>();
  for (const [key, t] of c.floats) tensors.set(key, { dtype: 'F32', shape: t.shape, bytes: float32Bytes(t.data) });
  const kernels: Record<string, { bits: number; block: number; shape: number[] }> = {};
  for (const [key, k] of c.kernels) {
    const s = stem(key);
    const [o, i, kh, kw] = k.shape;
    tensors.set(join(s, 'intweight'), { dtype: 'U8', shape: [k.codes.length], bytes: k.codes });
    tensors.set(join(s, 'alpha'), { dtype: 'F32', shape: [o, blockCount(i, k.block), kh, kw], bytes: float32Bytes(k.alpha) });
    kernels[key] = { bits: k.bits, block: k.block, shape: k.shape };
  }
  const layers = Object.fromEntries(c.layers);
  return encodeRawSafetensors(tensors, { format: COMPRESSED_FORMAT, layers: JSON.stringify(layers), kernels: JSON.stringify(kernels) });
}

/** Reads {@link encodeCompressed}'s file back; errors name `source` and the entry at fault. */
export function decodeCompressed(bytes: Uint8Array, source = '<buffer>'): CompressedWeights {
  const meta = readSafetensorsMetadata(bytes, source);
  if (meta.format !== COMPRESSED_FORMAT) {
    throw new Error(`${source}: not a compressed DSConv file (metadata format ${JSON.stringify(meta.format)}, expected '${COMPRESSED_FORMAT}')`);
  }
  let layerMeta: Record<string, DSConvLayerConfig>;
  let kernelMeta: Record<string, { bits: number; block: number; shape: number[] }>;
  try {
    layerMeta = JSON.parse(meta.layers ?? '{}');
    kernelMeta = JSON.parse(meta.kernels ?? '{}');
  } catch (e) {
    throw new Error(`${source}: bad layers/kernels metadata (${(e as Error).message})`);
  }
  const tensors = decodeSafetensors(bytes, source);
  try {
    const take = (key: string): tf.Tensor => {
      const t = tensors.get(key);
      if (!t) throw new Error(`${source}: missing tensor '${key}'`);
      tensors.delete(key);
      return t;
    };
    const layers = new Map<string, DSConvLayerConfig>();
    for (const [name, l] of Object.entries(layerMeta)) {
      checkQuantization(`${source}: layer '${name}'`, l.bits, l.block);
      layers.set(name, { bits: l.bits, block: l.block });
    }
    const kernels = new Map<string, PackedKernel>();
    for (const [key, k] of Object.entries(kernelMeta)) {
      checkQuantization(`${source}: kernel '${key}'`, k.bits, k.block);
      if (k.bits === 0 || !Array.isArray(k.shape) || k.shape.length !== 4 || !k.shape.every((d) => Number.isInteger(d) && d > 0)) {
        throw new Error(`${source}: kernel '${key}' has bits ${k.bits} and shape ${JSON.stringify(k.shape)} (needs bits 2..8 and 4 positive dims)`);
      }
      const s = stem(key);
      const codes = take(join(s, 'intweight'));
      const alpha = take(join(s, 'alpha'));
      const [o, i, kh, kw] = k.shape as [number, number, number, number];
      const alphaShape = [o, blockCount(i, k.block), kh, kw];
      if (alpha.shape.length !== 4 || alpha.shape.some((d, j) => d !== alphaShape[j])) {
        throw new Error(`${source}: '${join(s, 'alpha')}' has shape [${alpha.shape}], expected [${alphaShape}]`);
      }
      kernels.set(key, {
        bits: k.bits,
        block: k.block,
        shape: [o, i, kh, kw],
        codes: Uint8Array.from(codes.dataSync()),
        alpha: Float32Array.from(alpha.dataSync()),
      });
      codes.dispose();
      alpha.dispose();
    }
    const floats = new Map<string, FloatTensor>();
    for (const [key, t] of tensors) floats.set(key, { shape: [...t.shape], data: Float32Array.from(t.dataSync()) });
    return { layers, kernels, floats };
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/**
 * Loads the compressed form into a module built like the one compressed (same structure; its DSConvs take the
 * stored bits and block). Quantised kernels are set to exactly alpha * I, so eval outputs equal those of the
 * quantised module that was compressed. Problems (missing or unexpected keys, shapes, a kernel that is not a
 * DSConv's) are reported in one error before anything changes.
 */
export function loadCompressed(module: Module<any, any>, source: CompressedWeights | Uint8Array): void {
  const c = source instanceof Uint8Array ? decodeCompressed(source) : source;
  const dsconvs = new Map(dsconvLayers(module));
  const problems: string[] = [];
  for (const name of dsconvs.keys()) if (!c.layers.has(name)) problems.push(`DSConv layer '${name}' is not in the compressed weights`);
  for (const [name, layer] of c.layers) {
    if (!dsconvs.has(name)) problems.push(`compressed layer '${name}' is not a DSConv of this ${module.typeName}`);
    if (layer.bits > 0 && !c.kernels.has(join(name, 'weight'))) problems.push(`compressed layer '${name}' has bits ${layer.bits} but no packed kernel`);
  }
  for (const [key, k] of c.kernels) {
    const layer = c.layers.get(stem(key));
    if (!dsconvs.has(stem(key))) problems.push(`compressed kernel '${key}' does not belong to a DSConv of this ${module.typeName}`);
    else if (!layer || layer.bits !== k.bits || layer.block !== k.block) problems.push(`compressed kernel '${key}' disagrees with its layer's bits/block`);
    const count = k.shape.reduce((a, b) => a * b, 1);
    if (k.codes.length !== Math.ceil((count * k.bits) / 8)) problems.push(`compressed kernel '${key}' has ${k.codes.length} bytes of codes, expected ${Math.ceil((count * k.bits) / 8)}`);
  }
  if (problems.length) throw new Error(`loadCompressed(${module.typeName}): ${problems.join(' | ')}`);

  const unpacked = new Map<string, { codes: tf.Tensor4D; alpha: tf.Tensor4D }>();
  const sd = new Map<string, tf.Tensor>();
  try {
    for (const [key, t] of c.floats) sd.set(key, tf.tensor(t.data, t.shape, 'float32'));
    for (const [key, k] of c.kernels) {
      const [o, i, kh, kw] = k.shape;
      const codes = tf.tensor4d(Float32Array.from(unpackBits(k.codes, k.bits, o * i * kh * kw)), k.shape);
      const alpha = tf.tensor4d(k.alpha, [o, blockCount(i, k.block), kh, kw]);
      unpacked.set(key, { codes, alpha });
      // a placeholder of the right shape, so the state dict check sees every key; loadQuantized sets the value
      sd.set(key, tf.zeros(k.shape));
    }
    module.loadStateDict(sd);
    for (const [name, layer] of c.layers) {
      const m = dsconvs.get(name)!;
      const u = unpacked.get(join(name, 'weight'));
      if (u) m.loadQuantized(u.codes, u.alpha, layer.bits, layer.block);
      else m.setQuantization(layer.bits, layer.block);
    }
  } finally {
    for (const t of sd.values()) t.dispose();
    for (const u of unpacked.values()) {
      u.codes.dispose();
      u.alpha.dispose();
    }
  }
}

/** Byte counts of the compressed form against plain float32 weights. */
export interface StorageReport {
  /** Bytes of the whole compressed safetensors file ({@link encodeCompressed}). */
  compressedFileBytes: number;
  /** Bytes of a float32 safetensors file of the same module's state dict. */
  float32FileBytes: number;
  /** Payload bytes of the quantised kernels: packed codes plus float32 alphas. */
  kernelBytes: number;
  /** Payload bytes the same kernels take as float32. */
  kernelFloat32Bytes: number;
}

/** Measures the storage of `c` (the float32 baseline counts the same tensors, quantised kernels as float32). */
export function storageReport(c: CompressedWeights): StorageReport {
  const compressedFileBytes = encodeCompressed(c).byteLength;
  const asFloat = new Map<string, RawTensor>();
  for (const [key, t] of c.floats) asFloat.set(key, { dtype: 'F32', shape: t.shape, bytes: float32Bytes(t.data) });
  let kernelBytes = 0;
  let kernelFloat32Bytes = 0;
  for (const [key, k] of c.kernels) {
    const n = k.shape.reduce((a, b) => a * b, 1);
    asFloat.set(key, { dtype: 'F32', shape: k.shape, bytes: new Uint8Array(4 * n) });
    kernelBytes += k.codes.byteLength + k.alpha.byteLength;
    kernelFloat32Bytes += 4 * n;
  }
  return { compressedFileBytes, float32FileBytes: encodeRawSafetensors(asFloat).byteLength, kernelBytes, kernelFloat32Bytes };
}
