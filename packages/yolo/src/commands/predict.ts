import type { Command } from 'commander';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { interactive } from '../progress.js';
import type { DetectionModel } from '@plugconv/core';
import { loadModel } from '../configs.js';
import { useNodeBackend } from '../node-backends.js';
import { imgszOption, intOption, numberOption, requireImgszMultiple } from '../options.js';
import { UsageError } from '../usage-error.js';
import { classNames } from '../predict/coco.js';
import { drawDetections } from '../predict/draw.js';
import { writeFileAtomic } from '@plugconv/core/node';
import { ImageDecodeError, isImageFile, readImage, writeImage } from '../predict/image-io.js';
import { predictImage, type PredictOptions } from '../predict/predict.js';
import { WeightsError } from '../predict/weights.js';
import { loadWeights } from '../predict/weights-file.js';

/** Options of `plugconv predict` as commander gives them. */
export interface PredictCliOptions {
  weights: string;
  source: string;
  out: string;
  scale?: string;
  imgsz: string;
  conf: string;
  iou: string;
  maxDet: string;
  agnostic?: boolean;
  rect?: boolean;
  backend: string;
  save: boolean;
}

/** One image's entry in predictions.json. */
export interface ImageResult {
  file: string;
  width: number;
  height: number;
  detections: { box: number[]; conf: number; cls: number; name: string }[];
  /** Milliseconds per stage. */
  speed: { preprocess: number; inference: number; postprocess: number };
}

/** The image files a --source names: the file itself, or a folder's JPEG/PNG files sorted by name. */
export function listSources(source: string): { files: string[]; folder: boolean } {
  if (!existsSync(source)) throw new UsageError(`--source ${source}: no such file or folder`);
  if (statSync(source).isDirectory()) {
    const files = readdirSync(source)
      .filter(isImageFile)
      .sort()
      .map((f) => join(source, f));
    if (!files.length) throw new UsageError(`--source ${source}: no .jpg, .jpeg or .png images in this folder`);
    return { files, folder: true };
  }
  return { files: [source], folder: false };
}

/** ultralytics' per-image summary: `2 persons, 1 bus` (or `(no detections)`). */
export function describeDetections(dets: ImageResult['detections']): string {
  const counts = new Map<string, number>();
  for (const d of dets) counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
  if (!counts.size) return '(no detections)';
  return [...counts].map(([n, c]) => `${c} ${n}${c > 1 ? 's' : ''}`).join(', ');
}

/**
 * Runs prediction over the files: detections per image, annotated copies in `outDir` (same name; JPEG or PNG
 * as the source) unless `save` is false, and `predictions.json` there. Undecodable images in a folder are
 * reported and skipped (they appear under `errors`); a single undecodable image throws.
 */
export async function runPredict(model: DetectionModel, files: string[], outDir: string, opts: PredictOptions & { save: boolean; folder: boolean; meta: Record<string, unknown> }): Promise<{ results: ImageResult[]; errors: { file: string; error: string }[] }> {
  const names = classNames(model.head?.nc ?? 80);
  const results: ImageResult[] = [];
  const errors: { file: string; error: string }[] = [];
  // a bar on a terminal; otherwise the per-image lines below
  const bar = opts.folder && interactive() ? new SingleBar({ format: 'predict [{bar}] {value}/{total} {file}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 }, Presets.shades_classic) : null;
  bar?.start(files.length, 0, { file: '' });
  for (const [i, file] of files.entries()) {
    bar?.update(i, { file: basename(file) });
    let img;
    try {
      img = readImage(file);
    } catch (e) {
      if (!(e instanceof ImageDecodeError) || !opts.folder) throw e;
      errors.push({ file, error: e.message });
      continue;
    }
    const p = await predictImage(model, img, opts);
    const detections = p.detections.map((d) => ({ box: d.box.map((v) => Number(v.toFixed(3))), conf: Number(d.conf.toFixed(5)), cls: d.cls, name: names[d.cls] ?? `class${d.cls}` }));
    results.push({ file, width: img.width, height: img.height, detections, speed: p.speed });
    if (opts.save) writeImage(join(outDir, basename(file)), drawDetections(img, p.detections, names));
    if (!bar) console.log(`image ${i + 1}/${files.length} ${file}: ${img.width}x${img.height} ${describeDetections(detections)}, ${p.speed.inference.toFixed(1)}ms`);
  }
  bar?.update(files.length, { file: '' });
  bar?.stop();
  const json = { ...opts.meta, images: results.map(({ speed, ...r }) => ({ ...r, speed: Object.fromEntries(Object.entries(speed).map(([k, v]) => [k, Number(v.toFixed(2))])) })), errors };
  writeFileAtomic(join(outDir, 'predictions.json'), `${JSON.stringify(json, null, 1)}\n`);
  return { results, errors };
}

/** `plugconv predict CFG --weights W --source IMAGE|DIR`: detections as ultralytics' predict gives them. */
export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('detect objects in an image or a folder of images: annotated copies and predictions.json')
    .argument('<cfg>', 'YAML path or shipped config name (yolov8n.yaml = yolov8.yaml at scale n)')
    .requiredOption('--weights <file>', '.safetensors state dict (PyTorch layout, ultralytics key names)')
    .requiredOption('--source <path>', 'a .jpg/.png image or a folder of them')
    .option('--out <dir>', 'output folder', 'runs/predict')
    .option('--scale <s>', 'model scale (n, s, m, l, x, t)')
    .option('--imgsz <px>', 'letterbox size (a multiple of the stride)', '640')
    .option('--conf <c>', 'confidence threshold', '0.25')
    .option('--iou <t>', 'NMS IoU threshold', '0.7')
    .option('--max-det <n>', 'at most this many detections per image', '300')
    .option('--agnostic', 'class-agnostic NMS')
    .option('--rect', "pad to a stride multiple only (ultralytics' rectangular inference) instead of imgsz x imgsz")
    .option('--no-save', 'write predictions.json only, no annotated images')
    .option('--backend <b>', 'tfjs backend (wasm, cpu)', 'wasm')
    .action(async (cfg: string, o: PredictCliOptions) => {
      const opts: PredictOptions = {
        imgsz: imgszOption(o.imgsz),
        conf: numberOption('conf', o.conf, { min: 0, max: 1 }),
        iou: numberOption('iou', o.iou, { min: 0, max: 1 }),
        maxDet: intOption('max-det', o.maxDet, 1, 100000),
        agnostic: !!o.agnostic,
        rect: !!o.rect,
      };
      const { files, folder } = listSources(o.source);
      if (!existsSync(o.weights)) throw new UsageError(`--weights ${o.weights}: no such file`);
      const backend = await useNodeBackend(o.backend);
      const model = loadModel(cfg, { scale: o.scale, warn: (m) => process.stderr.write(`WARNING ${m}\n`) });
      try {
        try {
          loadWeights(model, o.weights);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        model.eval();
        const maxStride = Math.max(32, ...model.stride);
        requireImgszMultiple(opts.imgsz!, maxStride, `the model's stride ${maxStride}`);
        const meta = { config: cfg, scale: o.scale ?? null, weights: resolve(o.weights), backend, imgsz: opts.imgsz, conf: opts.conf, iou: opts.iou, maxDet: opts.maxDet, agnostic: opts.agnostic, rect: opts.rect };
        let run;
        try {
          run = await runPredict(model, files, o.out, { ...opts, save: o.save, folder, meta });
        } catch (e) {
          if (e instanceof ImageDecodeError || e instanceof WeightsError) throw new UsageError(e.message);
          throw e;
        }
        for (const err of run.errors) process.stderr.write(`WARNING skipped ${err.error}\n`);
        const n = run.results.reduce((a, r) => a + r.detections.length, 0);
        console.log(`${run.results.length} image${run.results.length === 1 ? '' : 's'}, ${n} detections; results saved to ${resolve(o.out)}`);
        if (run.errors.length) process.exitCode = 2;
      } finally {
        model.dispose();
      }
    });
}
