import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { summarize } from '@plugconv/core';
import { main } from '../src/cli.js';
import { loadModel } from '../src/configs.js';
import { achievedGflops, measureLatency } from '../src/latency.js';
import { useNodeBackend } from '../src/node-backends.js';
import { benchMarkdown, configFamily, FAMILY_EXAMPLE, runBench } from '../src/commands/bench.js';
import { BREAKDOWN_KINDS } from '../src/breakdown.js';
import { BREAKDOWN_COLUMNS } from '../src/breakdown-report.js';
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
    // min latency and % roofline of both structures follow the existing columns ('-' without a roofline)
    expect(md[0]).toMatch(/\| deployed peak MiB \| min ms \| % roofline \| deployed min ms \| deployed % roofline \|$/);
    expect(md[2]).toMatch(new RegExp(`\\| ${t.latency.minMs.toFixed(0)} \\| - \\| ${r.latency.minMs.toFixed(0)} \\| - \\|$`));
  });
  it('--breakdown and the roofline: JSON kinds sum to 100% of the profiled forward, % roofline = GFLOP/s over the probe', async () => {
    expect(await main(['bench', '--cfg', CFG, '--scale', 't', '--imgsz', '64', '--runs', '2', '--warmup', '1', '--backend', 'cpu', '--deploy', '--breakdown', '--json'])).toBe(0);
    const j = JSON.parse(output.out.at(-1)!);
    expect(j).toMatchObject({ name: 'YOLOv8t', structure: 'deploy', runs: 2 });
    expect(j.minMs).toBeLessThanOrEqual(j.medianMs);
    expect(j.rooflineGflopsPerSecond).toBeGreaterThan(0);
    // both rates are rounded to 0.01 GFLOP/s in the JSON, a few percent of cpu's small figures
    expect(Math.abs(j.percentOfRoofline / ((100 * j.gflopsPerSecond) / j.rooflineGflopsPerSecond) - 1)).toBeLessThan(0.05);
    const b = j.breakdown;
    expect(Object.keys(b.percent)).toEqual([...BREAKDOWN_KINDS]);
    expect(Object.values(b.percent as Record<string, number>).reduce((a, v) => a + v, 0)).toBeCloseTo(100, 0);
    expect(Object.values(b.ms as Record<string, number>).reduce((a, v) => a + v, 0)).toBeCloseTo(b.forwardMs, 0);
    expect(b.forwards).toBe(3);
    expect(b.counts.conv).toBeGreaterThan(0);
    // deployed: no BatchNorm left
    expect(b.counts.batchnorm).toBe(0);
    expect(b.unknownKernels).toEqual([]);
  });
  it('the text report adds the roofline, its percent and the time by kind of block', async () => {
    expect(await main(['bench', '--cfg', CFG, '--scale', 't', '--imgsz', '64', '--runs', '1', '--warmup', '0', '--backend', 'cpu', '--fuse', '--breakdown'])).toBe(0);
    const lines = output.out.join('\n').split('\n');
    expect(lines[4]).toMatch(/^roofline  [\d.]+ GFLOP\/s on cpu \(one 3x3 conv 128->128 at 80x80, 1\.89 GFLOP: fastest of 1, median [\d.]+\)$/);
    expect(lines[5]).toMatch(/^ {10}[\d.]+% of it achieved/);
    expect(lines[6]).toMatch(/^time by kind of block \(tf\.profile over 3 forwards: [\d.]+ ms a profiled forward, [\d.]+ ms in kernels/);
    expect(lines.slice(7, 7 + BREAKDOWN_KINDS.length).map((l) => l.trim().split(/ {2,}/)[0])).toEqual([...BREAKDOWN_KINDS]);
    expect(await main(['bench', '--cfg', CFG, '--scale', 't', '--imgsz', '64', '--runs', '1', '--warmup', '0', '--backend', 'cpu', '--no-roofline', '--json'])).toBe(0);
    const j = JSON.parse(output.out.at(-1)!);
    expect(j).not.toHaveProperty('percentOfRoofline');
    expect(j).not.toHaveProperty('breakdown');
  });
  it('--family PREFIX --deploy --breakdown: one row per shipped config of the family at scale n with every column', async () => {
    const family = configFamily('yolo11');
    expect(family).toContain('yolo11.yaml');
    expect(family.length).toBeGreaterThan(1);
    expect(family.every((c) => c.startsWith('yolo11'))).toBe(true);
    expect(FAMILY_EXAMPLE).toBe('plugconv bench --family yolo11 --deploy --breakdown');
    // three of the yolo11 family (yolo11-DSConv, -DWSConv, -DynamicConv) keep the test short on cpu
    expect(configFamily('yolo11-D')).toEqual(['yolo11-DSConv.yaml', 'yolo11-DWSConv.yaml', 'yolo11-DynamicConv.yaml']);
    expect(await main(['bench', '--family', 'yolo11-D', '--deploy', '--breakdown', '--imgsz', '64', '--runs', '1', '--warmup', '0', '--backend', 'cpu'])).toBe(0);
    const lines = output.out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^roofline  [\d.]+ GFLOP\/s on cpu/);
    expect(lines[1]).toBe('');
    const head = lines[2]!.split('|').slice(1, -1).map((c) => c.trim());
    expect(head).toEqual(['config', 'structure', 'GFLOPs', 'params', 'median ms', 'min ms', 'GFLOP/s', '% roofline', 'peak MiB', ...BREAKDOWN_COLUMNS]);
    const rows = lines.slice(4).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    expect(rows.map((r) => r[0])).toEqual(configFamily('yolo11-D'));
    for (const r of rows) {
      expect(r).toHaveLength(head.length);
      expect(r[1]).toBe('deploy');
      expect(Number(r[5])).toBeLessThanOrEqual(Number(r[4]));
      expect(Number(r[7])).toBeGreaterThan(0);
      // the kinds' percents (one decimal each) add up to the profiled forward
      expect(Math.abs(r.slice(9).reduce((a, v) => a + Number(v), 0) - 100)).toBeLessThan(0.1 * BREAKDOWN_KINDS.length);
    }
    // every yolo11 config has C2PSA: some of its time is attention
    expect(rows.every((r) => Number(r[9 + BREAKDOWN_KINDS.indexOf('attention')]) > 0)).toBe(true);
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
    expect(await main(['bench', '--family', 'nope'])).toBe(2);
    expect(output.err.join('')).toMatch(/--family 'nope' matches no shipped config \(they start with .*yolo11/);
    expect(await main(['bench', '--all', '--family', 'yolo11'])).toBe(2);
    expect(output.err.join('')).toMatch(/at most one of --all and --family/);
    expect(await main(['bench', '--cfg', CFG, '--family', 'yolo11'])).toBe(2);
    expect(output.err.join('')).toMatch(/give either --cfg CFG or --all \(or --family PREFIX\)/);
  });
});
