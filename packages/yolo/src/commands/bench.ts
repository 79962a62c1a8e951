import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { deploy, fuse, summarize, type UltralyticsVersion } from '@plugconv/core';
import { profileBreakdown, type Breakdown } from '../breakdown.js';
import { BREAKDOWN_COLUMNS, breakdownCells, breakdownJson, breakdownReport } from '../breakdown-report.js';
import { loadModel, shippedConfigs } from '../configs.js';
import { achievedGflops, measureLatency, type Latency } from '../latency.js';
import { useNodeBackend } from '../node-backends.js';
import { imgszOption, intOption, requireImgszMultiple, ULTRALYTICS_HELP, ultralyticsOption } from '../options.js';
import { measureConvRoofline, percentOfRoofline, ROOFLINE_CONV, type ConvRoofline } from '../roofline.js';
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
  /** Also profile {@link BREAKDOWN_FORWARDS} forwards for the time per kind of block ({@link profileBreakdown}). */
  breakdown?: boolean;
  /** The backend's 3x3-conv roofline (measured once per run): the result then gives its percent of it. */
  roofline?: ConvRoofline;
}

/** Forwards `--breakdown` profiles (after the timed ones), averaged. */
export const BREAKDOWN_FORWARDS = 3;

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
  /** The roofline the result was read against (when given). */
  roofline?: ConvRoofline;
  /** gflopsPerSecond as a percent of the roofline's best rate (when given). */
  percentOfRoofline?: number;
  /** Time per kind of block (with `breakdown`). */
  breakdown?: Breakdown;
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
    const shape: [number, number, number, number] = [o.batch, o.imgsz, o.imgsz, model.inputChannels];
    const latency = await measureLatency(model, shape, o.runs, o.warmup);
    const gflopsPerSecond = achievedGflops(s.gflops, o.batch, latency.medianMs);
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
      gflopsPerSecond,
      imagesPerSecond: (o.batch * 1000) / latency.medianMs,
      ...(o.roofline && { roofline: o.roofline, percentOfRoofline: percentOfRoofline(gflopsPerSecond, o.roofline.bestGflopsPerSecond) }),
      ...(o.breakdown && { breakdown: await breakdownOf(model, shape) }),
    };
  } finally {
    model.dispose();
  }
}

/** {@link profileBreakdown} on a random batch (the model is warm: measureLatency ran it). */
async function breakdownOf(model: Parameters<typeof profileBreakdown>[0], shape: [number, number, number, number]): Promise<Breakdown> {
  const x = tf.randomUniform(shape);
  try {
    return await profileBreakdown(model, x, BREAKDOWN_FORWARDS);
  } finally {
    x.dispose();
  }
}

const MB = 1024 * 1024;

/** The roofline's line of a report. */
export function rooflineLine(r: ConvRoofline, backend: string): string {
  const { size, channels, kernel } = ROOFLINE_CONV;
  return `roofline  ${r.bestGflopsPerSecond.toFixed(1)} GFLOP/s on ${backend} (one ${kernel}x${kernel} conv ${channels}->${channels} at ${size}x${size}, ${r.gflop.toFixed(2)} GFLOP: fastest of ${r.runs}, median ${r.gflopsPerSecond.toFixed(1)})`;
}

const pct = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(0));

/** The human-readable report of one result. */
export function benchReport(r: BenchResult): string {
  const l = r.latency;
  return [
    `${r.name}${r.structure === 'train' ? '' : ` (${r.structure === 'fuse' ? 'fused' : 'deployed'})`} ${r.imgsz}x${r.imgsz} batch ${r.batch} on ${r.backend}: ${r.gflops.toFixed(2)} GFLOPs/image, ${r.params.toLocaleString('en-US')} parameters`,
    `latency   median ${l.medianMs.toFixed(1)} ms (min ${l.minMs.toFixed(1)}, max ${l.maxMs.toFixed(1)}) over ${l.runs} runs after warm-up`,
    `speed     ${r.gflopsPerSecond.toFixed(1)} GFLOP/s achieved, ${r.imagesPerSecond.toFixed(2)} images/s`,
    `memory    peak ${(l.peakBytes / MB).toFixed(1)} MiB (tf.memory numBytes during a forward)`,
    ...(r.roofline ? [rooflineLine(r.roofline, r.backend), `          ${r.percentOfRoofline!.toFixed(1)}% of it achieved (median GFLOP/s over the roofline's fastest)`] : []),
    ...(r.breakdown ? [breakdownReport(r.breakdown)] : []),
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
    ...(r.roofline && { rooflineGflopsPerSecond: Number(r.roofline.bestGflopsPerSecond.toFixed(2)), percentOfRoofline: Number(r.percentOfRoofline!.toFixed(2)) }),
    ...(r.breakdown && { breakdown: breakdownJson(r.breakdown) }),
  };
}

/** A Markdown table of a header and rows of cells (the first column left-aligned, the rest right-aligned). */
function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), `|---|${head.slice(1).map(() => '---:|').join('')}`, ...rows.map(line)].join('\n');
}

/**
 * Markdown table rows for several configs: as built and deployed side by side (pairs from {@link runBench}), then
 * min latency and percent of the roofline of both, then the deployed breakdown's percents when measured.
 */
export function benchMarkdown(pairs: BenchPair[]): string {
  const withBreakdown = pairs.some((p) => p.deploy.breakdown);
  const head = ['config', 'GFLOPs', 'params', 'ms', 'GFLOP/s', 'peak MiB', 'deployed params', 'deployed GFLOPs', 'deployed ms', 'deployed GFLOP/s', 'deployed peak MiB', 'min ms', '% roofline', 'deployed min ms', 'deployed % roofline', ...(withBreakdown ? BREAKDOWN_COLUMNS.map((c) => `deployed ${c}`) : [])];
  const rows = pairs.map(({ train: t, deploy: d }) => [
    t.config,
    t.gflops.toFixed(2),
    t.params.toLocaleString('en-US'),
    t.latency.medianMs.toFixed(0),
    t.gflopsPerSecond.toFixed(1),
    (t.latency.peakBytes / MB).toFixed(0),
    d.params.toLocaleString('en-US'),
    d.gflops.toFixed(2),
    d.latency.medianMs.toFixed(0),
    d.gflopsPerSecond.toFixed(1),
    (d.latency.peakBytes / MB).toFixed(0),
    t.latency.minMs.toFixed(0),
    pct(t.percentOfRoofline),
    d.latency.minMs.toFixed(0),
    pct(d.percentOfRoofline),
    ...(withBreakdown ? breakdownCells(d.breakdown) : []),
  ]);
  return markdownTable(head, rows);
}

/**
 * A Markdown table of results of one structure (what `bench --family` prints): figures, median and min latency,
 * GFLOP/s, percent of the roofline, peak memory, and the breakdown's percents when measured.
 */
export function benchTable(results: BenchResult[]): string {
  const withBreakdown = results.some((r) => r.breakdown);
  const head = ['config', 'structure', 'GFLOPs', 'params', 'median ms', 'min ms', 'GFLOP/s', '% roofline', 'peak MiB', ...(withBreakdown ? BREAKDOWN_COLUMNS : [])];
  const rows = results.map((r) => [
    r.config,
    r.structure,
    r.gflops.toFixed(2),
    r.params.toLocaleString('en-US'),
    r.latency.medianMs.toFixed(1),
    r.latency.minMs.toFixed(1),
    r.gflopsPerSecond.toFixed(1),
    pct(r.percentOfRoofline),
    (r.latency.peakBytes / MB).toFixed(0),
    ...(withBreakdown ? breakdownCells(r.breakdown) : []),
  ]);
  return markdownTable(head, rows);
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
  const results = await benchConfigs(configs, o, ['train', 'deploy'], label);
  return results.map(([train, deploy]) => ({ train: train!, deploy: deploy! }));
}

/** {@link runBench} of every config in each of `structures` (in that order), with progress labelled `label`. */
export async function benchConfigs(configs: readonly string[], o: Omit<BenchOptions, 'cfg' | 'structure'>, structures: readonly BenchOptions['structure'][], label: string): Promise<BenchResult[][]> {
  const bar = progress(label, configs.length);
  const results: BenchResult[][] = [];
  for (const [i, cfg] of configs.entries()) {
    bar.item(i, cfg);
    const row: BenchResult[] = [];
    for (const structure of structures) row.push(await runBench({ ...o, cfg, structure }));
    results.push(row);
  }
  bar.done();
  return results;
}

/** The shipped configs whose file name starts with `prefix` (`yolo11`: yolo11.yaml and every yolo11-*.yaml). */
export function configFamily(prefix: string): string[] {
  const family = shippedConfigs().filter((c) => c.startsWith(prefix));
  if (!family.length) throw new UsageError(`--family '${prefix}' matches no shipped config (they start with ${[...new Set(shippedConfigs().map((c) => c.replace(/[-.].*$/, '')))].join(', ')})`);
  return family;
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
  family?: string;
  breakdown?: boolean;
  /** false with `--no-roofline`. */
  roofline: boolean;
}

/** The command that gives the YOLO11 variants' table (in the help and the README). */
export const FAMILY_EXAMPLE = 'plugconv bench --family yolo11 --deploy --breakdown';

/**
 * `plugconv bench --cfg CFG`: median and min latency, achieved GFLOP/s, percent of the backend's 3x3-conv roofline
 * and peak memory; `--breakdown` for the time per kind of block; `--all` for every shipped config, `--family
 * PREFIX` for those whose name starts with it.
 */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('forward latency (median and min after warm-up), achieved GFLOP/s, percent of the 3x3-conv roofline and peak memory of a config')
    .option('--cfg <cfg>', 'YAML path or shipped config name (yolo11n.yaml = yolo11.yaml at scale n)')
    .option('--all', 'every shipped config, as built and deployed (only one structure with --fuse or --deploy): a Markdown table')
    .option('--family <prefix>', 'like --all, for the shipped configs whose name starts with <prefix> (yolo11: yolo11.yaml, yolo11-*.yaml)')
    .option('--scale <s>', "model scale (n, s, m, l, x; default: the config name's, else the first listed; --all/--family: n)")
    .option('--imgsz <px>', 'square input size', '640')
    .option('--batch <n>', 'batch size', '1')
    .option('--backend <b>', 'tfjs backend (wasm, cpu)', 'wasm')
    .option('--runs <n>', 'timed forwards (the median is reported)', '10')
    .option('--warmup <n>', 'untimed forwards first', '2')
    .option('--fuse', "fold Conv+BN first (ultralytics' fuse())")
    .option('--deploy', 're-parameterise every module and fold Conv+BN (deploy())')
    .option('--breakdown', `time per kind of block (convs, attention, split/concat, activations, ...) from tf.profile over ${BREAKDOWN_FORWARDS} more forwards`)
    .option('--no-roofline', 'skip the 3x3-conv roofline probe (measured once per run; gives % roofline)')
    .option('--json', 'print JSON instead of text')
    .option('--ultralytics <version>', ULTRALYTICS_HELP)
    .addHelpText(
      'after',
      [
        '',
        'The YOLO11 variants at scale n, 640, deployed, with the time per kind of block, as one Markdown table:',
        `  ${FAMILY_EXAMPLE}`,
        '',
        'The roofline is one 3x3 conv (128->128 channels at 80x80) timed on the same backend (its fastest run):',
        "the rate a network made only of such convolutions would reach. --breakdown's kernel times come from",
        'tf.profile: on wasm and cpu the wall time of each synchronous kernel call; module code, op wrappers and the',
        'engine\'s bookkeeping are "outside kernels"; percentages are of a profiled forward.',
      ].join('\n'),
    )
    .action(async (o: BenchCliOptions) => {
      const many = !!o.all || o.family !== undefined;
      if (!!o.cfg === many) throw new UsageError('give either --cfg CFG or --all (or --family PREFIX)');
      if (o.all && o.family !== undefined) throw new UsageError('give at most one of --all and --family');
      if (o.fuse && o.deploy) throw new UsageError('give at most one of --fuse and --deploy');
      const imgsz = requireImgszMultiple(imgszOption(o.imgsz), 32);
      const runs = intOption('runs', o.runs, 1);
      const warmup = intOption('warmup', o.warmup, 0);
      const configs = o.family !== undefined ? configFamily(o.family) : o.all ? shippedConfigs() : [];
      const backend = await useNodeBackend(o.backend);
      // once per run, on the backend the models run on; its fastest run is the ceiling (the load may change after it)
      const roofline = o.roofline ? await measureConvRoofline(Math.min(runs, 10), Math.min(warmup, 2)) : undefined;
      const base = { imgsz, batch: intOption('batch', o.batch, 1), backend, runs, warmup, ultralytics: ultralyticsOption(o.ultralytics), breakdown: !!o.breakdown, roofline };
      const structure = o.deploy ? 'deploy' : o.fuse ? 'fuse' : undefined;
      if (o.cfg) {
        const r = await runBench({ ...base, cfg: o.cfg, scale: o.scale, structure: structure ?? 'train' });
        console.log(o.json ? JSON.stringify(benchJson(r)) : benchReport(r));
        return;
      }
      const label = 'bench';
      const text = roofline && !o.json ? `${rooflineLine(roofline, backend)}\n\n` : '';
      if (structure) {
        const results = (await benchConfigs(configs, { ...base, scale: o.scale ?? 'n' }, [structure], label)).map(([r]) => r!);
        console.log(o.json ? JSON.stringify(results.map(benchJson)) : text + benchTable(results));
        return;
      }
      const pairs = await benchPairs(configs, { ...base, scale: o.scale ?? 'n' }, label);
      if (o.json) console.log(JSON.stringify(pairs.map((p) => ({ train: benchJson(p.train), deploy: benchJson(p.deploy) }))));
      else console.log(text + benchMarkdown(pairs));
    });
}
