import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fuse, layerCount, summarize, type YoloConfig } from '@plugconv/core';
import { loadYoloConfig } from '@plugconv/core/node';
import { main } from '../src/cli.js';
import { CONFIG_DIR, loadModel, shippedConfigs } from '../src/configs.js';
import { useNodeBackend } from '../src/node-backends.js';
import { captureOutput } from './capture-output.js';

// The shipped YOLO11, YOLO12 and YOLO26 configs against ultralytics 8.4.104. Figures are counted shape-only
// (summarize's probes), so the n..x builds cost their weight initialisation and little else.
type Figures = { params: number; gradients: number; gflops: number; fused_params: number; layers?: number; fused_layers?: number };
const coreFixture = (name: string) => fileURLToPath(new URL(`../../core/fixtures/${name}`, import.meta.url));
// ultralytics 8.4.104's model_info at n..x (params, gradients), fused params after its fuse(), GFLOPs by the FLOP rule
const reference = JSON.parse(readFileSync(coreFixture('v11/figures.json'), 'utf8')) as Record<string, Figures>;
// yolo26-p2 and yolo26-p6, which the reference lacks: params, gradients, leaf-layer counts and fused params from
// ultralytics 8.4.104's DetectionModel and fuse(); GFLOPs by the FLOP rule counted on that PyTorch model with
// forward hooks at 1x3x640x640 (the same count gives the reference's yolo26 n..x GFLOPs to the last digit)
const pinned = JSON.parse(readFileSync(new URL('../fixtures/ultralytics-84-figures.json', import.meta.url), 'utf8')) as Record<string, Figures>;
const SCALES = ['n', 's', 'm', 'l', 'x'];
const output = captureOutput();
const deviations: string[] = [];

beforeAll(() => useNodeBackend('wasm'));

/** GFLOPs within 0.5% of the reference, the deviation noted for the report at the end. */
function expectGflops(what: string, gflops: number, ref: number): void {
  const deviation = gflops / ref - 1;
  deviations.push(`${what} ${gflops.toFixed(3)} vs ${ref} (${(deviation * 100).toFixed(4)}%)`);
  expect(Math.abs(deviation)).toBeLessThan(0.005);
}

describe('shipped configs: ultralytics 8.4 layouts', () => {
  /** What a build reads from a config at the five ultralytics scales. */
  const content = (c: YoloConfig) => ({ ...c, yamlFile: undefined, scale: undefined, scales: Object.fromEntries(SCALES.map((k) => [k, c.scales![k]])) });
  it.each(['yolo11', 'yolo12', 'yolo26'])("%s.yaml reads as ultralytics' own file does (rows, nc, end2end, reg_max, scales n..x)", (cfg) => {
    const shipped = loadYoloConfig(`${CONFIG_DIR}/${cfg}.yaml`);
    expect(content(shipped)).toEqual(content(loadYoloConfig(coreFixture(`v11/ultralytics/${cfg}.yaml`))));
    // ultralytics' scales only (the tiny fixture scale t stays in the fixture copies), n first
    expect(Object.keys(shipped.scales!)).toEqual(SCALES);
  });

  it('the families are listed in release order, each base config first', () => {
    const files = shippedConfigs();
    for (const f of ['yolo11.yaml', 'yolo12.yaml', 'yolo26.yaml', 'yolo26-p2.yaml', 'yolo26-p6.yaml']) expect(files).toContain(f);
    const family = files.map((f) => f.replace(/\.yaml$/, '').split('-')[0]);
    expect([...new Set(family)]).toEqual(['yolov8', 'yolo11', 'yolo12', 'yolo26']);
    for (const fam of new Set(family)) expect(files[family.indexOf(fam)]).toBe(`${fam}.yaml`);
  });

  it('yolo11n.yaml / yolo26s-p2.yaml pick the scale from the name; no scale at all takes n with a warning', () => {
    const warnings: string[] = [];
    const cases: [string, string, string][] = [
      ['yolo11n.yaml', 'YOLO11n', 'n'],
      ['yolo26s-p2.yaml', 'YOLO26s-p2', 's'],
      ['yolo26.yaml', 'YOLO26n', 'n'],
    ];
    for (const [cfg, name, scale] of cases) {
      const model = loadModel(cfg, { warn: (m) => warnings.push(m) });
      try {
        expect(summarize(model, 64).name).toBe(name);
        expect(model.info[0]!.args[1]).toBe({ n: 16, s: 32 }[scale]);
      } finally {
        model.dispose();
      }
    }
    expect(warnings).toEqual(["no model scale passed. Assuming scale='n'."]);
  });

  it("plugconv info yolo11n.yaml prints ultralytics 8.4's summary line with the attention matmuls counted", async () => {
    expect(await main(['info', 'yolo11n.yaml'])).toBe(0);
    // ultralytics prints 6.6 GFLOPs: thop leaves out C2PSA's two attention matmuls (0.06 GFLOPs at 640)
    expect(output.out.at(-1)).toBe('YOLO11n summary: 182 layers, 2,624,080 parameters, 2,624,064 gradients, 6.7 GFLOPs');
  });
});

describe('plugconv info --json: yolo26 at n..x through the CLI', () => {
  const info = async (args: string[]) => {
    expect(await main(['info', ...args, '--json'])).toBe(0);
    return JSON.parse(output.out.at(-1)!) as { params: number; gradients: number; gflops: number; ultralytics: string; fused: boolean; rows: unknown[] };
  };
  it.each(SCALES)('yolo26.yaml --scale %s: params and gradients exact, GFLOPs within 0.5%; --fuse: params = fused_params', async (scale) => {
    const ref = reference[`yolo26@${scale}`]!;
    const j = await info(['yolo26.yaml', '--scale', scale]);
    expect(j).toMatchObject({ ultralytics: '8.4', params: ref.params, gradients: ref.gradients, fused: false });
    expect(j.rows).toHaveLength(24);
    expectGflops(`yolo26${scale} (cli)`, j.gflops, ref.gflops);
    const f = await info(['yolo26.yaml', '--scale', scale, '--fuse']);
    expect(f).toMatchObject({ fused: true, params: ref.fused_params });
  });
});

describe('yolo11, yolo12 at n..x and yolo26-p2, yolo26-p6 at n..x through summarize()', () => {
  const cases = [
    ...['yolo11', 'yolo12'].flatMap((cfg) => SCALES.map((s) => [cfg, s, reference[`${cfg}@${s}`]!] as const)),
    ...['yolo26-p2', 'yolo26-p6'].flatMap((cfg) => SCALES.map((s) => [cfg, s, pinned[`${cfg}@${s}`]!] as const)),
  ];
  it.each(cases)('%s at %s: params, gradients, GFLOPs, fused params', (cfg, scale, ref) => {
    // the scale from the name, as `plugconv info yolo11m.yaml` / `yolo26m-p2.yaml` take it
    const named = cfg.replace(/^(yolo\d+)/, `$1${scale}`);
    const model = loadModel(`${named}.yaml`, { warn: () => {} });
    try {
      const s = summarize(model);
      expect([s.params, s.gradients]).toEqual([ref.params, ref.gradients]);
      if (ref.layers !== undefined) expect(s.layers).toBe(ref.layers);
      expectGflops(`${named}`, s.gflops, ref.gflops);
      fuse(model);
      expect(model.numParams()).toBe(ref.fused_params);
      if (ref.fused_layers !== undefined) expect(layerCount(model, '8.4')).toBe(ref.fused_layers);
    } finally {
      model.dispose();
    }
  });
});

describe('GFLOPs deviations', () => {
  it('are reported', () => {
    // (console.log is captured for the CLI tests of this file)
    process.stdout.write(`GFLOPs of the shipped 8.4 configs against the reference:\n${deviations.join('\n')}\n`);
    expect(deviations).toHaveLength(25);
  });
});
