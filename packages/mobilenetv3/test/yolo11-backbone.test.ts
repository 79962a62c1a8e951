import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, C3k2, Conv, DWConv, fuse, parseYoloConfig, Sequential, summarize, useBackend, type DetectionModel } from '@plugconv/core';
import { packageTestKit } from '@plugconv/test-harness/node';
import { MobileNetV3Block, modules } from '../src/index.js';

const { registry } = packageTestKit(import.meta.url, modules);

// MobileNetV3Block in a YOLO11 layout (ultralytics 8.4 semantics): the MobileNetV3-Large backbone of
// yolov8-mobilenetv3.yaml (stem Conv, fifteen blocks, SPPF) with YOLO11's C2PSA after it and YOLO11's head of C3k2
// rows on P3 = row 6, P4 = row 12, P5 = row 17. No shipped config: the block drops into such a YAML as it is.
const BLOCKS = [
  [16, 3, 1, 16, 'False', 'RE'], [24, 3, 2, 64, 'False', 'RE'], [24, 3, 1, 72, 'False', 'RE'], [40, 5, 2, 72, 'True', 'RE'],
  [40, 5, 1, 120, 'True', 'RE'], [40, 5, 1, 120, 'True', 'RE'], [80, 3, 2, 240, 'False', 'HS'], [80, 3, 1, 200, 'False', 'HS'],
  [80, 3, 1, 184, 'False', 'HS'], [80, 3, 1, 184, 'False', 'HS'], [112, 3, 1, 480, 'True', 'HS'], [112, 3, 1, 672, 'True', 'HS'],
  [160, 5, 2, 672, 'True', 'HS'], [160, 5, 1, 960, 'True', 'HS'], [160, 5, 1, 960, 'True', 'HS'],
];
const yaml = (top: string) => `nc: 80
${top}scales:
  t: [0.50, 0.125, 1024]
  n: [0.50, 0.25, 1024]
backbone:
  - [-1, 1, Conv, [16, 3, 2]]
${BLOCKS.map((b) => `  - [-1, 1, MobileNetV3Block, [${b.join(', ')}]]`).join('\n')}
  - [-1, 1, SPPF, [1024, 5]] # 16
  - [-1, 2, C2PSA, [1024]] # 17
head:
  - [-1, 1, nn.Upsample, [None, 2, "nearest"]]
  - [[-1, 12], 1, Concat, [1]]
  - [-1, 2, C3k2, [512, False]] # 20
  - [-1, 1, nn.Upsample, [None, 2, "nearest"]]
  - [[-1, 6], 1, Concat, [1]]
  - [-1, 2, C3k2, [256, False]] # 23
  - [-1, 1, Conv, [256, 3, 2]]
  - [[-1, 20], 1, Concat, [1]]
  - [-1, 2, C3k2, [512, False]] # 26
  - [-1, 1, Conv, [512, 3, 2]]
  - [[-1, 17], 1, Concat, [1]]
  - [-1, 2, C3k2, [1024, True]] # 29
  - [[23, 26, 29], 1, Detect, [nc]]
`;
const build = (scale: string, top = ''): DetectionModel => buildModel(parseYoloConfig(yaml(top), 'yolo11-mobilenetv3.yaml'), { registry, scale, warn: () => {} });

describe('MobileNetV3Block in a YOLO11 YAML', () => {
  it('builds at n with 8.4 semantics: the fifteen blocks unscaled (torchvision\'s 2,815,968 parameters plus the expansion of block 1), the depthwise class head', () => {
    const model = build('n');
    try {
      const s = summarize(model, 640);
      console.info(`${s.name}: ${s.layers} layers, ${s.params} params, ${s.gradients} gradients, ${s.gflops.toFixed(4)} GFLOPs`);
      expect(s.ultralytics).toBe('8.4');
      const blocks = model.model.items.slice(1, 16);
      expect(blocks.every((b) => b instanceof MobileNetV3Block)).toBe(true);
      // row 0 is a Conv (8 channels at n), so block 1 (exp 16) gains torchvision's 1x1 expansion: 8*16 + 2*16
      expect(blocks.reduce((n, b) => n + b.numParams(), 0)).toBe(2815968 + 160);
      expect(model.model.items[20]).toBeInstanceOf(C3k2);
      expect(model.stride).toEqual([8, 16, 32]);
      expect(model.info[15]!.args.slice(0, 2)).toEqual([160, 160]); // the fixed rule: 160 channels at every scale
      // a C3k2 before the head switches Detect to the non-legacy class branch: (DWConv, Conv) pairs
      const cls = model.head!.cv3!.items[0]!.layers[0] as Sequential;
      expect(cls.layers[0]).toBeInstanceOf(DWConv);
      expect(cls.layers[1]).toBeInstanceOf(Conv);
      expect(s.gradients).toBe(s.params - 16);
    } finally {
      model.dispose();
    }
  });

  it.each([
    ['yolo11-style', '', [1, 84, 84]],
    ['end2end (YOLO26-style head, reg_max 1)', 'end2end: True\nreg_max: 1\n', [1, 84, 6]],
  ] as const)('%s at t on 64x64: finite output of the right shape, no tensor leak (fuse keeps the YOLO11 one)', async (_, top, shape) => {
    await useBackend('wasm');
    const model = build('t', top);
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 7);
    try {
      const y = model.predict(x);
      expect(y.shape).toEqual(shape);
      expect(y.dataSync().every(Number.isFinite)).toBe(true);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) model.predict(x).dispose();
      expect(tf.memory().numTensors).toBe(before);
      if (!top) {
        fuse(model.eval());
        const yf = model.predict(x);
        expect(tf.max(tf.abs(tf.sub(y, yf))).dataSync()[0]).toBeLessThan(1e-3 * Math.max(1, tf.max(tf.abs(y)).dataSync()[0]!));
        yf.dispose();
      }
      y.dispose();
    } finally {
      x.dispose();
      model.dispose();
    }
  });
});
