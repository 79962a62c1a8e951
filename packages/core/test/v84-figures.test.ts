import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, coreModules, fuse, layerCount, Registry, summarize, type DetectionModel, type LayerInfo } from '../src/index.js';
import { loadYoloConfig } from '../src/node.js';
import { fixturePath } from './helpers.js';

// ultralytics 8.4.104's model_info at n..x, with GFLOPs counted by core's rule (attention matmuls included) at
// 1x3x640x640; fused_params after ultralytics' fuse() (an end2end head also drops its one-to-many branch)
const figures = JSON.parse(readFileSync(fixturePath('v11/figures.json'), 'utf8')) as Record<string, { params: number; gradients: number; gflops: number; fused_params: number }>;
// model_info's layer count in 8.4 (leaf modules), unfused and fused, from ultralytics 8.4.104
const LAYERS: Record<string, [number, number]> = {
  yolo11n: [182, 101], yolo11s: [182, 101], yolo11m: [232, 126], yolo11l: [358, 191], yolo11x: [358, 191],
  yolo12n: [272, 159], yolo12s: [272, 159], yolo12m: [292, 169], yolo12l: [488, 283], yolo12x: [488, 283],
  yolo26n: [260, 122], yolo26s: [260, 122], yolo26m: [280, 132], yolo26l: [392, 190], yolo26x: [392, 190],
};
const registry = new Registry(coreModules);
const SCALES = ['n', 's', 'm', 'l', 'x'];

/** What a built model is made of, row by row (module, arguments, parameters), and its strides. */
const layout = (m: DetectionModel) => ({ rows: m.info.map((l: LayerInfo) => [l.from, l.repeats, l.type, l.args, l.params]), stride: m.stride });

const deviations: string[] = [];

describe.each(['yolo11', 'yolo12', 'yolo26'])('%s at n..x (the fixture YAML) gives ultralytics 8.4 figures', (cfg) => {
  const built = new Map<string, ReturnType<typeof layout>>();
  it.each(SCALES)(`${cfg}%s: params and gradients exact, GFLOPs within 0.5%, fused params exact`, (scale) => {
    const ref = figures[`${cfg}@${scale}`]!;
    const model = buildModel(loadYoloConfig(fixturePath(`v11/models/${cfg}.yaml`)), { registry, scale, warn: () => {} });
    try {
      const s = summarize(model);
      expect(s.ultralytics).toBe('8.4');
      expect([s.layers, s.params, s.gradients]).toEqual([LAYERS[`${cfg}${scale}`]![0], ref.params, ref.gradients]);
      const deviation = s.gflops / ref.gflops - 1;
      deviations.push(`${cfg}${scale} ${s.gflops.toFixed(3)} vs ${ref.gflops} (${(deviation * 100).toFixed(4)}%)`);
      expect(Math.abs(deviation)).toBeLessThan(0.005);
      built.set(scale, layout(model));
      fuse(model);
      expect(model.numParams()).toBe(ref.fused_params);
      expect(layerCount(model, '8.4')).toBe(LAYERS[`${cfg}${scale}`]![1]);
    } finally {
      model.dispose();
    }
  });

  it(`ultralytics' own ${cfg}.yaml, unmodified: the same rows and scales n..x; from another folder, ${cfg}n.yaml gives the n figures`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugconv-u84-'));
    copyFileSync(fixturePath(`v11/ultralytics/${cfg}.yaml`), join(dir, `${cfg}.yaml`));
    const own = loadYoloConfig(join(dir, `${cfg}n.yaml`));
    const fixture = loadYoloConfig(fixturePath(`v11/models/${cfg}.yaml`));
    // what a build reads: equal here means equal models (and figures) at every scale
    const content = (c: typeof own) => ({ ...c, yamlFile: undefined, scale: undefined, scales: Object.fromEntries(SCALES.map((k) => [k, c.scales![k]])) });
    expect(content(own)).toEqual(content(fixture));
    expect(own.scale).toBe('n');
    const model = buildModel(own, { registry, warn: () => {} });
    try {
      const ref = figures[`${cfg}@n`]!;
      const s = summarize(model);
      expect(s.name).toBe(`${cfg.replace('yolo', 'YOLO')}n`);
      expect([s.params, s.gradients]).toEqual([ref.params, ref.gradients]);
      expect(Math.abs(s.gflops / ref.gflops - 1)).toBeLessThan(0.005);
      if (built.has('n')) expect(layout(model)).toEqual(built.get('n'));
      fuse(model);
      expect(model.numParams()).toBe(ref.fused_params);
    } finally {
      model.dispose();
    }
  });
});

describe('GFLOPs deviations', () => {
  it('are reported', () => {
    console.log(`GFLOPs vs figures.json:\n${deviations.join('\n')}`);
    expect(deviations).toHaveLength(15);
  });
});
