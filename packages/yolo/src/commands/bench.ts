import type { Command } from 'commander';
import { deploy, fuse, summarize, type UltralyticsVersion } from '@plugconv/core';
import { loadModel, shippedConfigs } from '../configs.js';
import { achievedGflops, measureLatency, type Latency } from '../latency.js';
import { useNodeBackend } from '../node-backends.js';
import { imgszOption, intOption, requireImgszMultiple, ULTRALYTICS_HELP, ultralyticsOption } from '../options.js';
import { UsageError } from '../usage-error.js';
import { progress } from '../progress.js';

/** What to benchmark: a config at a scale, image size, batch and backend, in one of three structures. */
export interface BenchOptions {
  cfg: string;
  scale?: string;
  imgsz: number;
  batch: number;
  backend: string;
  runs: number;
  warmup: number;
  /** `train`: as built (eval mode, BN separate); `fuse`: ultralytics' fuse(); `deploy`: deploy(). */
  structure: 'train' | 'fuse' | 'deploy';
  /** The ultralytics semantics to build with (default: the YAML's `ultralytics:` key, else 8.4). */
  ultralytics?: UltralyticsVersion;
}

/** One benchmark result: the model's figures, its latency and what they give. */
export interface BenchResult {
  config: string;
  name: string;
  structure: BenchOptions['structure'];
  /** The ultralytics semantics the model was built with. */
  ultralytics: UltralyticsVersion;
  backend: string;
  imgsz: number;
  batch: number;
  params: number;
  /** Trainable parameters (summarize's gradients). */
  gradients: number;
  /** GFLOPs of one image (summarize). */
  gflops: number;
  latency: Latency;
  /** gflops * batch / median seconds. */
  gflopsPerSecond: number;
  imagesPerSecond: number;
}

/** Builds the config, applies the structure, counts it and times it. Disposes the model. */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const backend = await useNodeBackend(o.backend);
  const model = loadModel(o.cfg, { scale: o.scale, ultralytics: o.ultralytics, warn: () => {} });
  try {
    model.eval();
    if (o.structure === 'deploy') deploy(model);
    else if (o.structure === 'fuse') fuse(model);
    const s = summarize(model, o.imgsz);
    const latency = await measureLatency(model, [o.batch, o.imgsz, o.imgsz, model.inputChannels], o.runs, o.warmup);
    return {
      config: o.cfg,
      name: s.name,
      structure: o.structure,
      ultralytics: s.ultralytics,
      backend,
      imgsz: o.imgsz,
      batch: o.batch,
      params: s.params,
      gradients: s.gradients,
      gflops: s.gflops,
      latency,
      gflopsPerSecond: achievedGflops(s.gflops, o.batch, latency.medianMs),
      imagesPerSecond: (o.batch * 1000) / latency.medianMs,
    };
  } finally {
    model.dispose();
  }
}

const MB = 1024 * 1024;

/** The human-readable report of one result. */
export function benchReport(r: BenchResult): string {
  const l = r.latency;
  return [
    `${r.name}${r.structure === 'train' ? '' : ` (${r.structure === 'fuse' ? 'fused' : 'deployed'})`} ${r.imgsz}x${r.imgsz} batch ${r.batch} on ${r.backend}: ${r.gflops.toFixed(2)} GFLOPs/image, ${r.params.toLocaleString('en-US')} parameters`,
    `latency   median ${l.medianMs.toFixed(1)} ms (min ${l.minMs.toFixed(1)}, max ${l.maxMs.toFixed(1)}) over ${l.runs} runs after warm-up`,
    `speed     ${r.gflopsPerSecond.toFixed(1)} GFLOP/s achieved, ${r.imagesPerSecond.toFixed(2)} images/s`,
    `memory    peak ${(l.peakBytes / MB).toFixed(1)} MiB (tf.memory numBytes during a forward)`,
  ].join('\n');
}

/** A result as one flat JSON-friendly object (milliseconds and MiB rounded). */
export function benchJson(r: BenchResult): Record<string, unknown> {
  return {
    config: r.config,
    name: r.name,
    structure: r.structure,
    ultralytics: r.ultralytics,
    backend: r.backend,
    imgsz: r.imgsz,
    batch: r.batch,
    params: r.params,
    gflops: Number(r.gflops.toFixed(4)),
    medianMs: Number(r.latency.medianMs.toFixed(2)),
    minMs: Number(r.latency.minMs.toFixed(2)),
    maxMs: Number(r.latency.maxMs.toFixed(2)),
    runs: r.latency.runs,
    gflopsPerSecond: Number(r.gflopsPerSecond.toFixed(2)),
    peakMiB: Number((r.latency.peakBytes / MB).toFixed(2)),
  };
}

/** Markdown table rows for several configs: as built and deployed side by side (pairs from {@link runBench}). */
export function benchMarkdown(pairs: BenchPair[]): string {
  const head = '| config | GFLOPs | params | ms | GFLOP/s | peak MiB | deployed params | deployed GFLOPs | deployed ms | deployed GFLOP/s | deployed peak MiB |';
  const rows = pairs.map(({ train: t, deploy: d }) =>
    `| ${t.config} | ${t.gflops.toFixed(2)} | ${t.params.toLocaleString('en-US')} | ${t.latency.medianMs.toFixed(0)} | ${t.gflopsPerSecond.toFixed(1)} | ${(t.latency.peakBytes / MB).toFixed(0)} | ${d.params.toLocaleString('en-US')} | ${d.gflops.toFixed(2)} | ${d.latency.medianMs.toFixed(0)} | ${d.gflopsPerSecond.toFixed(1)} | ${(d.latency.peakBytes / MB).toFixed(0)} |`,
  );
  return [head, '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|', ...rows].join('\n');
}

/** A config benchmarked as built and deployed (what `bench --all` and the zoo report show side by side). */
export interface BenchPair {
  /** As built (eval mode, BN separate). */
  train: BenchResult;
  /** After deploy(). */
  deploy: BenchResult;
}

/**
 * {@link runBench} of every config as built and deployed, with progress labelled `label` on stderr (a bar on a
 * terminal, one line per config otherwise).
 */
export async function benchPairs(configs: readonly string[], o: Omit<BenchOptions, 'cfg' | 'structure'>, label: string): Promise<BenchPair[]> {
  const bar = progress(label, configs.length);
  const pairs: BenchPair[] = [];
  for (const [i, cfg] of configs.entries()) {
    bar.item(i, cfg);
    const one = (structure: BenchOptions['structure']) => runBench({ ...o, cfg, structure });
    pairs.push({ train: await one('train'), deploy: await one('deploy') });
  }
  bar.done();
  return pairs;
}

/** Options of `plugconv bench` as commander gives them. */
export interface BenchCliOptions {
  cfg?: string;
  all?: boolean;
  scale?: string;
  imgsz: string;
  batch: string;
  backend: string;
  runs: string;
  warmup: string;
  fuse?: boolean;
  deploy?: boolean;
  json?: boolean;
  ultralytics?: string;
}

/** `plugconv bench --cfg CFG`: median latency, achieved GFLOP/s and peak memory; `--all` for every shipped config. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('forward latency (median after warm-up), achieved GFLOP/s and peak memory of a config')
    .option('--cfg <cfg>', 'YAML path or shipped config name (yolo11n.yaml = yolo11.yaml at scale n)')
    .option('--all', 'every shipped config, as built and deployed: a Markdown table')
    .option('--scale <s>', "model scale (n, s, m, l, x; default: the config name's, else the first listed; --all: n)")
    .option('--imgsz <px>', 'square input size', '640')
    .option('--batch <n>', 'batch size', '1')
    .option('--backend <b>', 'tfjs backend (wasm, cpu)', 'wasm')
    .option('--runs <n>', 'timed forwards (the median is reported)', '10')
    .option('--warmup <n>', 'untimed forwards first', '2')
    .option('--fuse', "fold Conv+BN first (ultralytics' fuse())")
    .option('--deploy', 're-parameterise every module and fold Conv+BN (deploy())')
    .option('--json', 'print JSON instead of text')
    .option('--ultralytics <version>', ULTRALYTICS_HELP)
    .action(async (o: BenchCliOptions) => {
      if (!!o.cfg === !!o.all) throw new UsageError('give either --cfg CFG or --all');
      if (o.fuse && o.deploy) throw new UsageError('give at most one of --fuse and --deploy');
      const imgsz = requireImgszMultiple(imgszOption(o.imgsz), 32);
      const base = { imgsz, batch: intOption('batch', o.batch, 1), backend: o.backend, runs: intOption('runs', o.runs, 1), warmup: intOption('warmup', o.warmup, 0), ultralytics: ultralyticsOption(o.ultralytics) };
      if (o.cfg) {
        const r = await runBench({ ...base, cfg: o.cfg, scale: o.scale, structure: o.deploy ? 'deploy' : o.fuse ? 'fuse' : 'train' });
        console.log(o.json ? JSON.stringify(benchJson(r)) : benchReport(r));
        return;
      }
      const pairs = await benchPairs(shippedConfigs(), { ...base, scale: o.scale ?? 'n' }, 'bench');
      if (o.json) console.log(JSON.stringify(pairs.map((p) => ({ train: benchJson(p.train), deploy: benchJson(p.deploy) }))));
      else console.log(benchMarkdown(pairs));
    });
}
