import type { Command } from 'commander';
import { deploy, fuse, summarize, summaryLine, type DetectionModel, type ModelSummary } from '@plugconv/core';
import { loadModel } from '../configs.js';
import { registry } from '../registry.generated.js';
import { useNodeBackend } from '../node-backends.js';
import { imgszOption, ULTRALYTICS_HELP, ultralyticsOption } from '../options.js';

/** The per-row table ultralytics prints while parsing (from, n, params, module, arguments). */
export function layerTable(model: DetectionModel): string {
  const head = `${''.padStart(3)}${'from'.padStart(20)}${'n'.padStart(3)}${'params'.padStart(10)}  ${'module'.padEnd(45)}arguments`;
  const rows = model.info.map((l) => {
    const pkg = registry.get(l.type)?.package ?? '';
    const mod = `${pkg.replace('@plugconv/', '')}.${l.type}`;
    return `${String(l.index).padStart(3)}${JSON.stringify(l.from).padStart(20)}${String(l.repeats).padStart(3)}${String(l.params).padStart(10)}  ${mod.padEnd(45)}${JSON.stringify(l.args)}`;
  });
  return [head, ...rows].join('\n');
}

/** Options of `plugconv info`. */
export interface InfoOptions {
  scale?: string;
  imgsz: string;
  fuse?: boolean;
  deploy?: boolean;
  json?: boolean;
  backend: string;
  ultralytics?: string;
}

/** Builds, optionally fuses or deploys, and summarises a config. */
export async function infoSummary(cfg: string, opts: InfoOptions): Promise<{ summary: ModelSummary; model: DetectionModel }> {
  const imgsz = imgszOption(opts.imgsz);
  await useNodeBackend(opts.backend);
  const model = loadModel(cfg, { scale: opts.scale, ultralytics: ultralyticsOption(opts.ultralytics), warn: (m) => process.stderr.write(`WARNING ${m}\n`) });
  model.eval();
  if (opts.deploy) deploy(model);
  else if (opts.fuse) fuse(model);
  return { summary: summarize(model, imgsz), model };
}

/** `plugconv info CFG`: ultralytics' summary line, or one JSON object. */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description("build a config and print ultralytics' summary (layers, parameters, gradients, GFLOPs)")
    .argument('<cfg>', 'YAML path or shipped config name (yolo11n.yaml = yolo11.yaml at scale n)')
    .option('--scale <s>', "model scale (n, s, m, l, x); default: the config name's (yolo11s.yaml), else the first listed")
    .option('--imgsz <px>', 'square input size for GFLOPs', '640')
    .option('--fuse', 'fold Conv+BN first (ultralytics fuse())')
    .option('--deploy', 're-parameterise every module and fold Conv+BN (deploy())')
    .option('--json', 'print one JSON object')
    .option('--backend <b>', 'tfjs backend (wasm, cpu)', 'wasm')
    .option('--ultralytics <version>', ULTRALYTICS_HELP)
    .action(async (cfg: string, opts: InfoOptions) => {
      const { summary, model } = await infoSummary(cfg, opts);
      if (opts.json) {
        const rows = model.info.map((l) => ({ index: l.index, from: l.from, n: l.repeats, params: l.params, module: l.type, args: l.args }));
        console.log(JSON.stringify({ ...summary, gflops: Number(summary.gflops.toFixed(6)), strides: model.stride, deployed: !!opts.deploy, rows }));
      } else {
        console.log(layerTable(model));
        console.log(summaryLine(summary));
      }
      model.dispose();
    });
}
