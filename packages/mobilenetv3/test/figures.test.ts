import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { fuse, summarize, useBackend, type DetectionModel } from '@plugconv/core';
import { loadYoloConfig } from '@plugconv/core/node';
import { expectNoLeak, packageTestKit } from '@plugconv/test-harness/node';
import { MobileNetV3Block, modules } from '../src/index.js';

// fixtures/models/yolov8-mobilenetv3.yaml: the config @plugconv/yolo ships (this package owns it)
const { configModel, fixturePath } = packageTestKit(import.meta.url, modules);
const build = (scale: string): DetectionModel => configModel('yolov8-mobilenetv3.yaml', scale, '8.2');

// Independently computed by a per-module parameter formula (ultralytics' Conv/C2f/SPPF/Detect and torchvision's
// InvertedResidual), the same formula that reproduces ultralytics' yolov8 figures at t/n/s/m and torchvision's
// 2,815,968 for the fifteen blocks. Gradients = params - 16 (the frozen DFL conv).
// Row 0 is a Conv (conv rule), so its 16 channels are width-scaled like every Conv: 8 at n and s, 16 at m.
// At n and s block 1 (exp 16) then sees c1 = 8 != exp and gains torchvision's 1x1 expansion, 8*16 + 2*16 = 160
// parameters; at m the fifteen blocks are exactly torchvision's.
const PARAMS = { n: 4792712, s: 9032904, m: 16928016 } as const;
const STEM = { n: 8, s: 8, m: 16 } as const;

describe('yolov8-mobilenetv3.yaml', () => {
  it("has the issue's backbone (stem Conv, MobileNetV3-Large's fifteen blocks, SPPF) and yolov8's head moved by 7", () => {
    const cfg = loadYoloConfig(fixturePath('models/yolov8-mobilenetv3.yaml'));
    expect(cfg.backbone[0]).toEqual([-1, 1, 'Conv', [16, 3, 2]]);
    expect(cfg.backbone.slice(1, 16).map((r) => r[3])).toEqual([
      [16, 3, 1, 16, false, 'RE'], [24, 3, 2, 64, false, 'RE'], [24, 3, 1, 72, false, 'RE'], [40, 5, 2, 72, true, 'RE'],
      [40, 5, 1, 120, true, 'RE'], [40, 5, 1, 120, true, 'RE'], [80, 3, 2, 240, false, 'HS'], [80, 3, 1, 200, false, 'HS'],
      [80, 3, 1, 184, false, 'HS'], [80, 3, 1, 184, false, 'HS'], [112, 3, 1, 480, true, 'HS'], [112, 3, 1, 672, true, 'HS'],
      [160, 5, 2, 672, true, 'HS'], [160, 5, 1, 960, true, 'HS'], [160, 5, 1, 960, true, 'HS'],
    ]);
    expect(cfg.backbone.slice(1, 16).every((r) => r[2] === 'MobileNetV3Block')).toBe(true);
    expect(cfg.backbone[16]).toEqual([-1, 1, 'SPPF', [1024, 5]]);
    const froms = cfg.head.map((r) => r[0]);
    expect(froms).toEqual([-1, [-1, 12], -1, -1, [-1, 6], -1, -1, [-1, 19], -1, -1, [-1, 16], -1, [22, 25, 28]]);
    expect(Object.keys(cfg.scales ?? {})).toEqual(['t', 'n', 's', 'm', 'l', 'x']);
  });

  it.each(['n', 's', 'm'] as const)('at %s: exact params and gradients, GFLOPs by the rules', async (scale) => {
    await useBackend('wasm');
    const model = build(scale);
    try {
      const s = summarize(model, 640);
      console.info(`${s.name}: ${s.layers} layers, ${s.params} params, ${s.gradients} gradients, ${s.gflops.toFixed(4)} GFLOPs`);
      expect(s.params).toBe(PARAMS[scale]);
      expect(s.gradients).toBe(PARAMS[scale] - 16);
      // the backbone is not width-scaled (fixed rule): its 15 blocks are the same at every scale
      const blocks = model.model.items.slice(1, 16);
      expect(blocks.every((b) => b instanceof MobileNetV3Block)).toBe(true);
      expect(model.info[0]!.args.slice(0, 2)).toEqual([3, STEM[scale]]);
      expect(blocks.reduce((n, b) => n + b.numParams(), 0)).toBe(2815968 + (STEM[scale] === 16 ? 0 : 160));
      expect(model.stride).toEqual([8, 16, 32]);
    } finally {
      model.dispose();
    }
  });

  it('runs end to end at scale t (64x64) with torchvision key names, fuses, and leaks no tensor', async () => {
    await useBackend('wasm');
    const model = build('t');
    const keys = model.namedSlots().map(([k]) => k);
    expect(keys).toContain('model.1.block.0.0.weight');
    expect(keys).toContain('model.4.block.2.fc1.bias');
    expect(keys).toContain('model.15.block.3.1.running_var');
    const x = tf.randomUniform([1, 64, 64, 3]);
    const y = model.predict(x);
    expect(y.shape).toEqual([1, 84, 64 + 16 + 4]);
    expectNoLeak(() => model.predict(x));
    fuse(model.eval());
    expect(summarize(model, 640).fused).toBe(true);
    const yf = model.predict(x);
    expect(tf.max(tf.abs(tf.sub(y, yf))).dataSync()[0]).toBeLessThan(1e-3 * Math.max(1, tf.max(tf.abs(y)).dataSync()[0]!));
    tf.dispose([x, y, yf]);
    model.dispose();
  });
});
