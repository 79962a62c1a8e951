import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { summarize } from '@plugconv/core';
import { main } from '../src/cli.js';
import { loadModel } from '../src/configs.js';
import { achievedGflops, measureLatency } from '../src/latency.js';
import { useNodeBackend } from '../src/node-backends.js';
import { benchMarkdown, runBench } from '../src/commands/bench.js';
import { captureOutput } from './capture-output.js';

const CFG = fileURLToPath(new URL('../../core/fixtures/models/yolov8.yaml', import.meta.url));
// ultralytics 8.4's yolo26.yaml with the fixtures' tiny scale t
const YOLO26 = fileURLToPath(new URL('../../core/fixtures/v11/models/yolo26.yaml', import.meta.url));
const output = captureOutput();

describe('measureLatency', () => {
  it('reports the runs, ordered statistics and a peak above the weights, leaking nothing', async () => {
    await useNodeBackend('cpu');
    const model = loadModel(CFG, { scale: 't' });
    const before = tf.memory();
    const l = await measureLatency(model, [1, 64, 64, 3], 3, 1);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(l.runs).toBe(3);
    expect(l.minMs).toBeGreaterThan(0);
    expect(l.minMs).toBeLessThanOrEqual(l.medianMs);
    expect(l.medianMs).toBeLessThanOrEqual(l.maxMs);
    // weights (params + BN buffers) plus the input and at least the first activation (1x32x32x8 floats)
    expect(l.peakBytes).toBeGreaterThan(before.numBytes + 64 * 64 * 3 * 4 + 32 * 32 * 8 * 4);
    model.dispose();
  });
  it('achievedGflops is GFLOPs x batch over seconds', () => {
    expect(achievedGflops(8.7, 1, 300)).toBeCloseTo(29, 10);
    expect(achievedGflops(8.7, 4, 1000)).toBeCloseTo(34.8, 10);
  });
});

describe('plugconv bench', () => {
  it('--json gives summarize figures and GFLOP/s = gflops * batch / median seconds', async () => {
    expect(await main(['bench', '--cfg', CFG, '--scale', 't', '--imgsz', '64', '--batch', '2', '--runs', '3', '--warmup', '1', '--backend', 'cpu', '--json'])).toBe(0);
    const j = JSON.parse(output.out.at(-1)!);
    await useNodeBackend('cpu');
    const m = loadModel(CFG, { scale: 't' });
    const s = summarize(m, 64);
    m.dispose();
    expect(j).toMatchObject({ name: 'YOLOv8t', structure: 'train', backend: 'cpu', imgsz: 64, batch: 2, runs: 3, params: 1174568 });
    expect(j.gflops).toBeCloseTo(s.gflops, 4);
    expect(j.gflopsPerSecond).toBeCloseTo((j.gflops * 2) / (j.medianMs / 1000), 0);
    expect(j.peakMiB).toBeGreaterThan(1174568 * 4 / 2 ** 20);
    // the fixture YAML's top-level `ultralytics: 8.2.82`
    expect(j.ultralytics).toBe('8.2');
  });
  it("--ultralytics overrides the YAML's key; an end2end YOLO26 benchmarks like any config", async () => {
    expect(await main(['bench', '--cfg', CFG, '--scale', 't', '--imgsz', '32', '--runs', '1', '--warmup', '0', '--backend', 'cpu', '--json', '--ultralytics', '8.4'])).toBe(0);
    expect(JSON.parse(output.out.at(-1)!)).toMatchObject({ name: 'YOLOv8t', ultralytics: '8.4', params: 1174568 });
    expect(await main(['bench', '--cfg', YOLO26, '--scale', 't', '--imgsz', '64', '--runs', '1', '--warmup', '0', '--backend', 'cpu', '--json'])).toBe(0);
    const j = JSON.parse(output.out.at(-1)!);
    expect(j).toMatchObject({ name: 'YOLO26t', ultralytics: '8.4', structure: 'train' });
    expect(j.medianMs).toBeGreaterThan(0);
    expect(j.peakMiB).toBeGreaterThan((j.params * 4) / 2 ** 20);
  });
  it('prints the text report; --fuse and --deploy change the structure and the figures', async () => {
    expect(await main(['bench', '--cfg', CFG, '--scale', 't', '--imgsz', '64', '--runs', '1', '--warmup', '0', '--backend', 'cpu', '--fuse'])).toBe(0);
    const lines = output.out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^YOLOv8t \(fused\) 64x64 batch 1 on cpu: [\d.]+ GFLOPs\/image, [\d,]+ parameters$/);
    expect(lines[1]).toMatch(/^latency   median [\d.]+ ms \(min [\d.]+, max [\d.]+\) over 1 runs after warm-up$/);
    expect(lines[2]).toMatch(/^speed     [\d.]+ GFLOP\/s achieved, [\d.]+ images\/s$/);
    expect(lines[3]).toMatch(/^memory    peak [\d.]+ MiB/);
    const r = await runBench({ cfg: CFG, scale: 't', imgsz: 64, batch: 1, backend: 'cpu', runs: 1, warmup: 0, structure: 'deploy' });
    const t = await runBench({ cfg: CFG, scale: 't', imgsz: 64, batch: 1, backend: 'cpu', runs: 1, warmup: 0, structure: 'train' });
    expect(r.params).toBeLessThan(t.params);
    expect(r.gflops).toBeLessThan(t.gflops);
    const md = benchMarkdown([{ train: t, deploy: r }]).split('\n');
    expect(md).toHaveLength(3);
    expect(md[2]).toMatch(new RegExp(`^\\| .*yolov8\\.yaml \\| ${t.gflops.toFixed(2)} \\| 1,174,568 \\| \\d+ \\|`));
  });
  it('usage mistakes are exit 2 with the reason', async () => {
    expect(await main(['bench'])).toBe(2);
    expect(output.err.join('')).toMatch(/give either --cfg CFG or --all/);
    expect(await main(['bench', '--cfg', CFG, '--fuse', '--deploy'])).toBe(2);
    expect(output.err.join('')).toMatch(/at most one of --fuse and --deploy/);
    expect(await main(['bench', '--cfg', CFG, '--imgsz', '100'])).toBe(2);
    expect(output.err.join('')).toMatch(/--imgsz must be a multiple of 32, got 100/);
    expect(await main(['bench', '--cfg', CFG, '--runs', '0'])).toBe(2);
    expect(output.err.join('')).toMatch(/--runs must be an integer >= 1, got '0'/);
    expect(await main(['bench', '--cfg', CFG, '--backend', 'webgl'])).toBe(2);
    expect(output.err.join('')).toMatch(/unknown backend 'webgl'/);
  });
});
