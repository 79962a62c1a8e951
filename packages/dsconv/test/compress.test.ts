import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Conv, decodeSafetensors, useBackend } from '@plugconv/core';
import {
  C2f_DSConv,
  compress,
  decodeCompressed,
  DSConv,
  DSConv2D,
  encodeCompressed,
  loadCompressed,
  packBits,
  setQuantization,
  storageReport,
  unpackBits,
} from '../src/index.js';
import { maxAbsDiff, randomizeBatchNorms, seeded, configModel } from './helpers.js';

beforeAll(() => useBackend('wasm'));

describe('bit packing', () => {
  it.each([2, 3, 4, 5, 6, 7, 8])('%i bits round-trips every value, in ceil(n*bits/8) bytes', (bits) => {
    const half = 2 ** (bits - 1);
    const values = Array.from({ length: 1001 }, (_, i) => ((i * 7919) % (2 * half)) - half);
    values[0] = -half;
    values[1] = half - 1;
    const packed = packBits(values, bits);
    expect(packed.length).toBe(Math.ceil((1001 * bits) / 8));
    expect(Array.from(unpackBits(packed, bits, values.length))).toEqual(values);
  });

  it('refuses values out of range and wrong lengths', () => {
    expect(() => packBits([2], 2)).toThrow(/value 2 at index 0 is not an integer in \[-2, 1\]/);
    expect(() => unpackBits(new Uint8Array(3), 4, 7)).toThrow(/7 values of 4 bits need 4 bytes, got 3/);
  });
});

describe('compress / loadCompressed', () => {
  it('round trip of a C2f_DSConv (bits 4, block 8, 20 channels = 8 + 8 + 4): identical outputs, smaller file', () => {
    const make = () => new C2f_DSConv(12, 20, 2, true, 1, 0.5, 4, 8);
    const a = make();
    randomizeBatchNorms(a, 1);
    a.eval();
    const x = seeded([1, 9, 7, 12], 2);
    const ya = tf.tidy(() => a.forward(x));
    const bytes = encodeCompressed(compress(a));
    // a plain safetensors file: core's decoder reads it (packed kernels as U8)
    const raw = decodeSafetensors(bytes);
    expect(raw.get('cv1.conv.intweight')!.shape).toEqual([Math.ceil((20 * 12 * 4) / 8)]);
    expect(raw.get('cv1.conv.alpha')!.shape).toEqual([20, 2, 1, 1]);
    expect(raw.get('m.1.cv2.conv.alpha')!.shape).toEqual([10, 2, 3, 3]);
    expect(raw.has('cv1.conv.weight')).toBe(false);
    expect(raw.has('cv1.bn.running_var')).toBe(true);
    tf.dispose([...raw.values()]);

    const b = make(); // fresh random weights
    loadCompressed(b, bytes);
    b.eval();
    const yb = tf.tidy(() => b.forward(x));
    expect(maxAbsDiff(ya, yb)).toBe(0);
    // the loaded float weights are the quantised kernels: compressing again gives the same file
    expect(Buffer.from(encodeCompressed(compress(b))).equals(Buffer.from(bytes))).toBe(true);
    const report = storageReport(compress(a));
    expect(report.compressedFileBytes).toBe(bytes.byteLength);
    expect(report.compressedFileBytes).toBeLessThan(report.float32FileBytes);
    // weights: cv1 20x12, cv2 20x40, per bottleneck 10x10 and 10x10x3x3 -> 3040 floats; blocks of 8 over 12, 40, 10, 10
    // input channels -> 2, 5, 2, 2 blocks -> 540 alphas; codes 3040 * 4 bits = 1520 bytes
    expect(report.kernelFloat32Bytes).toBe(3040 * 4);
    expect(report.kernelBytes).toBe(1520 + 540 * 4);
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
  });

  it('round trip of yolov8-DSConv at t with mixed bits per layer (one layer unquantised) on the model', () => {
    const a = configModel('yolov8-DSConv.yaml', 't', '8.2');
    const layers = a.namedModules().filter(([, m]) => m instanceof DSConv) as [string, DSConv][];
    expect(layers.map(([n]) => n)).toEqual([1, 3, 5, 7, 16, 19].map((i) => `model.${i}.conv`));
    layers.forEach(([, m], i) => m.setQuantization([8, 2, 3, 0, 5, 7][i]!, [32, 16, 128, 32, 7, 32][i]!));
    a.eval();
    const x = seeded([1, 64, 64, 3], 8, 0, 1);
    const ya = a.predict(x);
    const c = compress(a);
    expect([...c.kernels.keys()]).toEqual(['model.1.conv.weight', 'model.3.conv.weight', 'model.5.conv.weight', 'model.16.conv.weight', 'model.19.conv.weight']);
    expect(c.layers.get('model.7.conv')).toEqual({ bits: 0, block: 32 });
    const bytes = encodeCompressed(c);

    const b = configModel('yolov8-DSConv.yaml', 't', '8.2'); // default bits 8 everywhere: loading sets the stored ones
    loadCompressed(b, decodeCompressed(bytes, 'model.safetensors'));
    const bl = b.namedModules().filter(([, m]) => m instanceof DSConv) as [string, DSConv][];
    expect(bl.map(([, m]) => [m.bits, m.block])).toEqual(layers.map(([, m]) => [m.bits, m.block]));
    const yb = b.predict(x);
    expect(maxAbsDiff(ya, yb)).toBe(0);

    // training resumes from the loaded kernel: a new weight is quantised again
    const w = bl[0]![1].weight;
    w.assign(tf.mul(w, 1.5));
    const yc = b.predict(x);
    expect(maxAbsDiff(yb, yc)).toBeGreaterThan(0);
    tf.dispose([x, ya, yb, yc]);
    a.dispose();
    b.dispose();
  });

  it('reports what does not fit', () => {
    const a = new DSConv2D(8, 16, 3, 1, null, 1, 1, true, 4);
    const bytes = encodeCompressed(compress(a));
    const plain = new Conv(8, 16, 3);
    expect(() => loadCompressed(plain, bytes)).toThrow(/loadCompressed\(Conv\): compressed layer 'conv' is not a DSConv of this Conv \| compressed kernel 'conv.weight' does not belong to a DSConv/);
    const wider = new DSConv2D(8, 24, 3);
    expect(() => loadCompressed(wider, bytes)).toThrow(/shape mismatch: conv.weight: expected \[24,8,3,3\], got \[16,8,3,3\]/);
    const f32 = new Uint8Array(16);
    expect(() => decodeCompressed(f32, 'x.safetensors')).toThrow(/x.safetensors/);
    a.dispose();
    plain.dispose();
    wider.dispose();
  });

  it('setQuantization switches a whole model; bits 0 layers are stored as float', () => {
    const m = new C2f_DSConv(8, 8, 1);
    expect(setQuantization(m, { bits: 0 })).toBe(4);
    const c = compress(m);
    expect(c.kernels.size).toBe(0);
    expect(c.floats.has('m.0.cv2.conv.weight')).toBe(true);
    m.dispose();
  });
});
