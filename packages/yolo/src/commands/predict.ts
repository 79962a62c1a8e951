import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { DetectionModel } from '@plugconv/core';
import { writeFileAtomic } from '@plugconv/core/node';
import { interactive } from '../progress.js';
import { useNodeBackend } from '../node-backends.js';
import { imgszOption, intOption, numberOption, requireImgszMultiple, ultralyticsOption } from '../options.js';
import { parseClassNames } from '../predict/class-names.js';
import { UsageError } from '../usage-error.js';
import { ImageDecodeError } from '../predict/image-io.js';
import { loadPredictModel, type PredictModelSource } from '../predict/model-source.js';
import { predictFileOutcome, type ImageResult, type PredictFileOptions } from '../predict/predict-file.js';
import type { PredictOptions } from '../predict/predict.js';
import { listSources } from '../predict/sources.js';
import { WeightsError } from '../predict/weights.js';
import { predictMany, type PredictManyResult, type PredictProgress } from '../predict-many.js';

/** Options of `plugconv predict` as commander gives them. */
export interface PredictCliOptions {
  weights?: string;
  names?: string;
  source: string;
  out: string;
  scale?: string;
  imgsz?: string;
  conf: string;
  iou: string;
  maxDet: string;
  agnostic?: boolean;
  rect?: boolean;
  backend: string;
  save: boolean;
  ultralytics?: string;
  workers?: string;
}

/** ultralytics' per-image summary: `2 persons, 1 bus` (or `(no detections)`). */
export function describeDetections(dets: ImageResult['detections']): string {
  const counts = new Map<string, number>();
  for (const d of dets) counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
  if (!counts.size) return '(no detections)';
  return [...counts].map(([n, c]) => `${c} ${n}${c > 1 ? 's' : ''}`).join(', ');
}

/** Predicts every file, reporting each as it finishes; undecodable files are skipped unless `folder` is false. */
type PredictRun = (onImage: (p: PredictProgress) => void) => Promise<Omit<PredictManyResult, 'workers'>>;

/** The files one after the other on this thread's model. */
function inProcess(model: DetectionModel, files: string[], options: PredictFileOptions, folder: boolean): PredictRun {
  return async (onImage) => {
    const results: ImageResult[] = [];
    const errors: PredictManyResult['errors'] = [];
    for (const [index, file] of files.entries()) {
      const outcome = await predictFileOutcome(model, file, options);
      if ('result' in outcome) results.push(outcome.result);
      else if (folder) errors.push({ file, error: outcome.error });
      else throw new ImageDecodeError(outcome.error);
      onImage({ done: index + 1, total: files.length, index, file, ...outcome });
    }
    return { results, errors };
  };
}

/**
 * Runs prediction over the files: detections per image, annotated copies in `outDir` (same name; JPEG or PNG
 * as the source) unless `save` is false, and `predictions.json` there. Progress: a bar on a terminal, else a
 * line per image as it finishes (`image 3/64 a.png: 640x480 2 persons, 170.2ms`). Undecodable images in a
 * folder are reported and skipped (they appear under `errors`); a single undecodable image throws.
 */
export async function runPredict(
  run: PredictRun,
  total: number,
  outDir: string,
  opts: { folder: boolean; meta: Record<string, unknown> },
): Promise<Omit<PredictManyResult, 'workers'>> {
  // a bar on a terminal; otherwise the per-image lines below
  const bar = opts.folder && interactive() ? new SingleBar({ format: 'predict [{bar}] {value}/{total} {file}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 }, Presets.shades_classic) : null;
  bar?.start(total, 0, { file: '' });
  const out = await run(({ done, file, result: r }) => {
    bar?.update(done, { file: basename(file) });
    if (!bar && r) console.log(`image ${done}/${total} ${file}: ${r.width}x${r.height} ${describeDetections(r.detections)}, ${r.speed.inference.toFixed(1)}ms`);
  });
  bar?.update(total, { file: '' });
  bar?.stop();
  const json = { ...opts.meta, images: out.results.map(({ speed, ...r }) => ({ ...r, speed: Object.fromEntries(Object.entries(speed).map(([k, v]) => [k, Number(v.toFixed(2))])) })), errors: out.errors };
  writeFileAtomic(join(outDir, 'predictions.json'), `${JSON.stringify(json, null, 1)}\n`);
  return out;
}

/** Class names from `--names`: a names file (data YAML, JSON, text) or a comma-separated list. */
export function namesOption(v: string): string[] {
  if (existsSync(v) && statSync(v).isFile()) {
    const ext = extname(v).toLowerCase();
    const kind = ext === '.yaml' || ext === '.yml' ? 'yaml' : ext === '.json' ? 'json' : 'text';
    try {
      return parseClassNames(readFileSync(v, 'utf8'), kind, `--names ${v}`);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const names = v.split(',').map((n) => n.trim());
  if (names.some((n) => !n)) throw new UsageError(`--names: not a file, and not a comma-separated list of names: '${v}'`);
  return names;
}

/** `plugconv predict MODEL --source IMAGE|DIR`: detections as ultralytics' predict gives them. */
export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('detect objects in an image or a folder of images: annotated copies and predictions.json')
    .argument('<model>', 'an ultralytics checkpoint (best.pt: weights, class names and semantics from it), or a YAML config (path or shipped name, yolov8n.yaml = yolov8.yaml at scale n) with --weights')
    .option('--weights <file>', 'weights of a YAML config: .safetensors state dict (PyTorch layout, ultralytics key names) or a .pt')
    .requiredOption('--source <path>', 'a .jpg/.png image or a folder of them')
    .option('--names <names>', 'class names: a data YAML (names:), a .json, a text file (one per line) or a comma-separated list (default: the checkpoint\'s, else the weights file\'s, else COCO\'s for 80 classes)')
    .option('--out <dir>', 'output folder', 'runs/predict')
    .option('--scale <s>', "model scale (n, s, m, l, x) of a YAML config (default: the name's letter, else the first listed)")
    .option('--imgsz <px>', "letterbox size, a multiple of the stride (default: the checkpoint's training size, else 640)")
    .option('--conf <c>', 'confidence threshold', '0.25')
    .option('--iou <t>', 'NMS IoU threshold', '0.7')
    .option('--max-det <n>', 'at most this many detections per image', '300')
    .option('--agnostic', 'class-agnostic NMS')
    .option('--rect', "pad to a stride multiple only, as ultralytics' predict does (the default)")
    .option('--no-rect', 'pad to imgsz x imgsz (the square input of an exported model) instead')
    .option('--ultralytics <version>', "build with this release's semantics, 8.2 or 8.4 (default: the checkpoint's, else the YAML's, else 8.4)")
    .option('--no-save', 'write predictions.json only, no annotated images')
    .option('--backend <b>', 'tfjs backend (wasm, cpu)', 'wasm')
    .option('--workers <n>', 'for a folder: worker threads, each with its own copy of the model (default: the number of cores)')
    .action(async (arg: string, o: PredictCliOptions) => {
      const opts: PredictOptions = {
        conf: numberOption('conf', o.conf, { min: 0, max: 1 }),
        iou: numberOption('iou', o.iou, { min: 0, max: 1 }),
        maxDet: intOption('max-det', o.maxDet, 1, 100000),
        agnostic: !!o.agnostic,
        rect: o.rect ?? true,
      };
      const { files, folder } = listSources(o.source);
      const workers = folder ? Math.min(files.length, o.workers === undefined ? availableParallelism() : intOption('workers', o.workers, 1, 1024)) : 1;
      const backend = await useNodeBackend(o.backend);
      const ultralytics = ultralyticsOption(o.ultralytics);
      const given = o.names === undefined ? undefined : namesOption(o.names);
      const source: PredictModelSource = { model: arg, ...(o.weights ? { weights: o.weights } : {}), ...(o.scale ? { scale: o.scale } : {}), ...(ultralytics ? { ultralytics } : {}), ...(given ? { names: given } : {}) };
      const t0 = performance.now();
      // built here first even when workers predict: its errors are usage errors, its names and imgsz the run's
      const { model, names, imgsz, weights } = loadPredictModel(source, (m) => process.stderr.write(`WARNING ${m}\n`));
      const loadMs = performance.now() - t0;
      let disposed = false;
      try {
        opts.imgsz = o.imgsz === undefined ? imgsz : imgszOption(o.imgsz);
        const nc = model.head?.nc ?? 80;
        if (names && names.length !== nc) throw new UsageError(`--names gives ${names.length} class names, the model has ${nc} classes`);
        const maxStride = Math.max(32, ...model.stride);
        requireImgszMultiple(opts.imgsz, maxStride, `the model's stride ${maxStride}`);
        console.log(`${arg}: ${weights === arg ? '' : `weights ${weights}, `}${nc} classes, loaded in ${loadMs.toFixed(0)} ms on ${backend}${workers > 1 ? `; ${files.length} images over ${workers} workers` : ''}`);
        const meta = { config: arg, scale: o.scale ?? null, weights: resolve(weights), backend, imgsz: opts.imgsz, conf: opts.conf, iou: opts.iou, maxDet: opts.maxDet, agnostic: opts.agnostic, rect: opts.rect, end2end: !!model.head?.end2end, ...(names ? { names } : {}) };
        const fileOptions: PredictFileOptions = { ...opts, ...(names ? { names } : {}), ...(o.save ? { saveDir: o.out } : {}) };
        let predict: PredictRun;
        if (workers > 1) {
          model.dispose(); // every worker builds its own
          disposed = true;
          predict = (onProgress) => predictMany({ ...source, ...(names ? { names } : {}) }, files, { ...fileOptions, workers, backend, onProgress });
        } else {
          predict = inProcess(model, files, fileOptions, folder);
        }
        let run;
        try {
          run = await runPredict(predict, files.length, o.out, { folder, meta });
        } catch (e) {
          if (e instanceof ImageDecodeError || e instanceof WeightsError) throw new UsageError(e.message);
          throw e;
        }
        for (const err of run.errors) process.stderr.write(`WARNING skipped ${err.error}\n`);
        const n = run.results.reduce((a, r) => a + r.detections.length, 0);
        const ms = run.results.map((r) => r.speed.preprocess + r.speed.inference + r.speed.postprocess).sort((a, b) => a - b);
        const median = ms.length ? ` (median ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} ms per image)` : '';
        const failed = run.errors.length ? `, ${run.errors.length} of ${files.length} failed` : '';
        console.log(`${run.results.length} image${run.results.length === 1 ? '' : 's'}, ${n} detections${median}${failed}; results saved to ${resolve(o.out)}`);
        if (run.errors.length) process.exitCode = 2;
      } finally {
        if (!disposed) model.dispose();
      }
    });
}
