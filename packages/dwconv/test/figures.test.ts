import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { summarize, useBackend } from '@plugconv/core';
import { loadYoloConfig } from '@plugconv/core/node';
import { coreFixturePath, expectNoLeak, packageTestKit } from '@plugconv/test-harness/node';
import { DWSConv, modules } from '../src/index.js';

// fixtures/models/yolov8-DWSConv.yaml (the config @plugconv/yolo ships, which this package owns), and core's
// yolov8.yaml to compare rows with
const { configModel: build, fixturePath } = packageTestKit(import.meta.url, modules);

// Expected figures, computed independently of this code: yolov8's (figures.json, from ultralytics) plus the
// change of the six replaced rows. Params: DWSConv(c1,c2,3) - Conv(c1,c2,3) = 11*c1 - 8*c1*c2 per row.
// MACs at 640: (13*c1 - 8*c1*c2)*Ho*Wo per row (depthwise 9 + BN 4 per depthwise output; pointwise c1 per output
// against Conv's 9*c1). A full-model formula gives the same params (and reproduces yolov8's at t/n/s/m).
const yolov8 = { n: { params: 3157200, gflops: 8.858 }, s: { params: 11166560, gflops: 28.817 }, m: { params: 25902640, gflops: 79.32 } } as const;
const widths = { n: 0.25, s: 0.5, m: 0.75 } as const;
const maxCh = { n: 1024, s: 1024, m: 768 } as const;

function expected(scale: 'n' | 's' | 'm'): { params: number; gflops: number } {
  const W = (c: number) => Math.ceil((Math.min(c, maxCh[scale]) * widths[scale]) / 8) * 8;
  // (c1, c2, output side at 640) of rows 1, 3, 5, 7, 16, 19
  const rows: [number, number, number][] = [
    [W(64), W(128), 160],
    [W(128), W(256), 80],
    [W(256), W(512), 40],
    [W(512), W(1024), 20],
    [W(256), W(256), 40],
    [W(512), W(512), 20],
  ];
  return plusRows(yolov8[scale], rows);
}

/** `base`'s figures plus the change of the replaced rows, each (c1, c2, output side at 640). */
function plusRows(base: { params: number; gflops: number }, rows: [number, number, number][]): { params: number; gflops: number } {
  const dParams = rows.reduce((s, [c1, c2]) => s + 11 * c1 - 8 * c1 * c2, 0);
  const dMacs = rows.reduce((s, [c1, c2, hw]) => s + hw * hw * (13 * c1 - 8 * c1 * c2), 0);
  return { params: base.params + dParams, gflops: base.gflops + (2 * dMacs) / 1e9 };
}

/** Builds `cfg` at `scale`: params and gradients exactly `want`'s, GFLOPs within 1e-3 of it, DWSConv at `rows`. */
async function expectDwsFigures(cfg: string, scale: string, ultralytics: '8.2' | '8.4', want: { params: number; gflops: number }, rows: number[]): Promise<void> {
  await useBackend('wasm');
  const model = build(cfg, scale, ultralytics);
  try {
    const s = summarize(model, 640);
    console.info(`${s.name}: ${s.layers} layers, ${s.params} params, ${s.gradients} gradients, ${s.gflops.toFixed(4)} GFLOPs`);
    expect(s.ultralytics).toBe(ultralytics);
    expect(s.params).toBe(want.params);
    expect(s.gradients).toBe(want.params - 16);
    expect(Math.abs(s.gflops - want.gflops)).toBeLessThan(1e-3);
    for (const i of rows) expect(model.model.items[i]).toBeInstanceOf(DWSConv);
  } finally {
    model.dispose();
  }
}

/** `cfg` is `base` with exactly the rows `want` changed, from Conv to DWSConv with the same args, and the same scales. */
function expectDwsRows(cfg: string, base: string, want: number[]): void {
  const a = loadYoloConfig(fixturePath(`models/${cfg}`));
  const b = loadYoloConfig(coreFixturePath(base));
  const rowsA = [...a.backbone, ...a.head];
  const rowsB = [...b.backbone, ...b.head];
  expect(rowsA.length).toBe(rowsB.length);
  const changed = rowsA.flatMap((r, i) => (JSON.stringify(r) === JSON.stringify(rowsB[i]) ? [] : [i]));
  expect(changed).toEqual(want);
  for (const i of changed) {
    expect([rowsA[i]![2], rowsB[i]![2]]).toEqual(['DWSConv', 'Conv']);
    expect(rowsA[i]![3]).toEqual(rowsB[i]![3]);
  }
  expect(a.scales).toEqual(b.scales);
}

describe('yolov8-DWSConv.yaml', () => {
  it('replaces exactly rows 1, 3, 5, 7, 16, 19 of yolov8.yaml with DWSConv, same args', () => {
    expectDwsRows('yolov8-DWSConv.yaml', 'models/yolov8.yaml', [1, 3, 5, 7, 16, 19]);
  });

  it.each(['n', 's', 'm'] as const)('at %s: exact params and gradients, GFLOPs by the rules', (scale) =>
    expectDwsFigures('yolov8-DWSConv.yaml', scale, '8.2', expected(scale), [1, 3, 5, 7, 16, 19]),
  );

  it('pins the figures: n 2,649,952 / s 9,128,064 / m 21,898,720 parameters', () => {
    expect([expected('n').params, expected('s').params, expected('m').params]).toEqual([2649952, 9128064, 21898720]);
  });

  it('runs end to end at scale t with PyTorch key names and no tensor leak', async () => {
    await useBackend('wasm');
    const model = build('yolov8-DWSConv.yaml', 't', '8.2');
    const keys = model.namedSlots().map(([k]) => k);
    expect(keys).toContain('model.1.depthwise.conv.weight');
    expect(keys).toContain('model.19.pointwise.bn.running_var');
    const x = tf.randomUniform([1, 64, 64, 3]);
    const y = model.predict(x);
    expect(y.shape).toEqual([1, 84, 64 * 64 / 64 + 64 * 64 / 256 + 64 * 64 / 1024]);
    y.dispose();
    expectNoLeak(() => model.predict(x));
    x.dispose();
    model.dispose();
  });
});

// yolo11-DWSConv (ultralytics 8.4 semantics): yolo11's figures (ultralytics 8.4.104, core's fixtures) plus the same
// per-row change, for yolo11's six stride-2 Convs after the stem (rows 1, 3, 5, 7, 17, 20).
const yolo11: Record<string, { params: number; gflops: number }> = JSON.parse(readFileSync(coreFixturePath('v11/figures.json'), 'utf8'));
const YOLO11_SCALES = { n: [0.25, 1024], s: [0.5, 1024], m: [1.0, 512] } as const;

function expected11(scale: 'n' | 's' | 'm'): { params: number; gflops: number } {
  const [width, maxCh] = YOLO11_SCALES[scale];
  const W = (c: number) => Math.ceil((Math.min(c, maxCh) * width) / 8) * 8;
  // (c1, c2, output side at 640): the previous row's c2 in, the row's c2 out
  const rows: [number, number, number][] = [
    [W(64), W(128), 160],
    [W(256), W(256), 80],
    [W(512), W(512), 40],
    [W(512), W(1024), 20],
    [W(256), W(256), 40],
    [W(512), W(512), 20],
  ];
  return plusRows(yolo11[`yolo11@${scale}`]!, rows);
}

describe('yolo11-DWSConv.yaml', () => {
  it('replaces exactly the stride-2 Convs of rows 1, 3, 5, 7, 17, 20 of yolo11.yaml with DWSConv, same args', () => {
    expectDwsRows('yolo11-DWSConv.yaml', 'v11/models/yolo11.yaml', [1, 3, 5, 7, 17, 20]);
  });

  it.each(['n', 's', 'm'] as const)('at %s: exact params and gradients, GFLOPs by the rules (yolo11 plus the six rows)', (scale) =>
    expectDwsFigures('yolo11-DWSConv.yaml', scale, '8.4', expected11(scale), [1, 3, 5, 7, 17, 20]),
  );

  it('pins the figures: n 2,035,968 / s 7,094,688 / m 12,732,352 parameters', () => {
    expect([expected11('n'), expected11('s'), expected11('m')].map((e) => [e.params, Number(e.gflops.toFixed(3))])).toEqual([[2035968, 5.24], [7094688, 16.033], [12732352, 46.968]]);
  });
});
