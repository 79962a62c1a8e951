import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { UltralyticsVersion } from '@plugconv/core';
import { writeFileAtomic } from '@plugconv/core/node';
import { shippedConfigs } from '../configs.js';
import { benchPairs } from './bench.js';
import { imgszOption, intOption, requireImgszMultiple, ULTRALYTICS_HELP, ultralyticsOption } from '../options.js';
import { zooChartSvg } from '../zoo-chart.js';
import { zooMarkdown, zooRow, zooTable, type ZooMeta, type ZooRow } from '../zoo-report.js';

/** What the zoo report measures and where it goes. */
export interface ZooOptions {
  /** Model scale of every config. */
  scale: string;
  /** Square input size (a multiple of 32). */
  imgsz: number;
  /** Node backend (wasm, cpu). */
  backend: string;
  /** Timed forwards per model and structure. */
  runs: number;
  /** Folder for zoo.md, zoo.svg and zoo.json. */
  out: string;
  /** A subset of the shipped configs (default: all). */
  configs?: string[];
  /** The ultralytics semantics to build every config with (default: each YAML's `ultralytics:` key, else 8.4). */
  ultralytics?: UltralyticsVersion;
}

/**
 * The zoo report: every shipped config (or `configs`) benchmarked as built and deployed (the bench code, one
 * warm-up forward each), written to `out` as zoo.md, zoo.svg and zoo.json.
 */
export async function runZoo(o: ZooOptions): Promise<ZooRow[]> {
  const configs = o.configs?.length ? o.configs : shippedConfigs();
  const pairs = await benchPairs(configs, { scale: o.scale, imgsz: o.imgsz, batch: 1, backend: o.backend, runs: o.runs, warmup: 1, ultralytics: o.ultralytics }, 'zoo');
  const rows = pairs.map(zooRow);
  const meta: ZooMeta = { scale: o.scale, imgsz: o.imgsz, backend: pairs[0]?.train.backend ?? o.backend, runs: o.runs, ...(o.ultralytics ? { ultralytics: o.ultralytics } : {}) };
  writeFileAtomic(resolve(o.out, 'zoo.md'), zooMarkdown(rows, meta));
  writeFileAtomic(resolve(o.out, 'zoo.svg'), zooChartSvg(rows, meta));
  writeFileAtomic(resolve(o.out, 'zoo.json'), JSON.stringify({ ...meta, tfjs: tf.version_core, rows }, null, 1) + '\n');
  return rows;
}

/** Options of `plugconv zoo` as commander gives them. */
export interface ZooCliOptions {
  scale: string;
  imgsz: string;
  backend: string;
  runs: string;
  out: string;
  configs?: string;
  ultralytics?: string;
}

/** `plugconv zoo`: the zoo report (what `pnpm start` runs), into runs/zoo unless `--out` says otherwise. */
export function registerZoo(program: Command): void {
  program
    .command('zoo')
    .description('the zoo report: every shipped config with params, GFLOPs, latency and peak memory, before and after deploy()')
    .option('--scale <s>', 'model scale', 'n')
    .option('--imgsz <px>', 'square input size (a multiple of 32)', '640')
    .option('--backend <b>', 'tfjs backend (wasm, cpu)', 'wasm')
    .option('--runs <n>', 'timed forwards per model and structure', '3')
    .option('--out <dir>', 'where zoo.md, zoo.svg and zoo.json go', join('runs', 'zoo'))
    .option('--configs <list>', 'comma-separated subset of the shipped configs')
    .option('--ultralytics <version>', ULTRALYTICS_HELP)
    .action(async (o: ZooCliOptions) => {
      const imgsz = requireImgszMultiple(imgszOption(o.imgsz), 32);
      const configs = o.configs?.split(',').map((c) => c.trim()).filter(Boolean);
      const rows = await runZoo({ scale: o.scale, imgsz, backend: o.backend, runs: intOption('runs', o.runs, 1), out: o.out, configs, ultralytics: ultralyticsOption(o.ultralytics) });
      console.log(zooTable(rows));
      console.log(`\nwrote ${resolve(o.out, 'zoo.md')}, zoo.svg, zoo.json`);
    });
}
