import type { Command } from 'commander';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { readSafetensorsMetadata, type DetectionModel } from '@plugconv/core';
import { interactive } from '../progress.js';
import { loadModel } from '../configs.js';
import { useNodeBackend } from '../node-backends.js';
import { imgszOption, intOption, numberOption, requireImgszMultiple, ultralyticsOption } from '../options.js';
import { isWeightsFile, loadCheckpointFile, requireFile, weightsFileKind } from '../checkpoint-file.js';
import { namesFromValue, parseClassNames } from '../predict/class-names.js';
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
export async function runPredict(
  model: DetectionModel,
  files: string[],
  outDir: string,
  opts: PredictOptions & { save: boolean; folder: boolean; meta: Record<string, unknown>; names?: string[] },
): Promise<{ results: ImageResult[]; errors: { file: string; error: string }[] }> {
  const names = opts.names ?? classNames(model.head?.nc ?? 80);
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

/** The class names a safetensors file records (`plugconv convert` writes them), if any. */
function safetensorsNames(path: string): string[] | undefined {
  if (weightsFileKind(path) !== 'safetensors') return undefined;
  const buf = readFileSync(path);
  const meta = readSafetensorsMetadata(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
  try {
    return meta.names ? namesFromValue(JSON.parse(meta.names)) : undefined;
  } catch {
    return undefined;
  }
}

/** The model of `plugconv predict`: a checkpoint, or a YAML config with --weights; its names and default imgsz. */
function predictModel(arg: string, o: PredictCliOptions): { model: DetectionModel; names?: string[]; imgsz: number; weights: string } {
  const warn = (m: string) => process.stderr.write(`WARNING ${m}\n`);
  const ultralytics = ultralyticsOption(o.ultralytics);
  const given = o.names === undefined ? undefined : namesOption(o.names);
  if (isWeightsFile(arg)) {
    if (o.weights) throw new UsageError(`--weights is for a YAML config: ${arg} is a checkpoint and holds its own weights`);
    const loaded = loadCheckpointFile(arg, { ...(ultralytics ? { ultralytics } : {}), ...(given ? { names: given } : {}), warn });
    return { model: loaded.model, names: loaded.names, imgsz: loaded.imgsz ?? 640, weights: arg };
  }
  if (!o.weights) throw new UsageError(`--weights FILE is required with a YAML config (${arg}); or give an ultralytics checkpoint (best.pt) as the model`);
  requireFile(o.weights, '--weights');
  const model = loadModel(arg, { scale: o.scale, ...(ultralytics ? { ultralytics } : {}), warn });
  try {
    loadWeights(model, o.weights);
  } catch (e) {
    model.dispose();
    throw e instanceof WeightsError ? new UsageError(e.message) : e;
  }
  const names = given ?? safetensorsNames(o.weights);
  return { model, ...(names ? { names } : {}), imgsz: 640, weights: o.weights };
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
    .option('--scale <s>', 'model scale (n, s, m, l, x, t) of a YAML config')
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
    .action(async (arg: string, o: PredictCliOptions) => {
      const opts: PredictOptions = {
        conf: numberOption('conf', o.conf, { min: 0, max: 1 }),
        iou: numberOption('iou', o.iou, { min: 0, max: 1 }),
        maxDet: intOption('max-det', o.maxDet, 1, 100000),
        agnostic: !!o.agnostic,
        rect: o.rect ?? true,
      };
      const { files, folder } = listSources(o.source);
      const backend = await useNodeBackend(o.backend);
      const t0 = performance.now();
      const { model, names, imgsz, weights } = predictModel(arg, o);
      const loadMs = performance.now() - t0;
      try {
        opts.imgsz = o.imgsz === undefined ? imgsz : imgszOption(o.imgsz);
        const nc = model.head?.nc ?? 80;
        if (names && names.length !== nc) throw new UsageError(`--names gives ${names.length} class names, the model has ${nc} classes`);
        const maxStride = Math.max(32, ...model.stride);
        requireImgszMultiple(opts.imgsz, maxStride, `the model's stride ${maxStride}`);
        console.log(`${arg}: ${weights === arg ? '' : `weights ${weights}, `}${nc} classes, loaded in ${loadMs.toFixed(0)} ms on ${backend}`);
        const meta = { config: arg, scale: o.scale ?? null, weights: resolve(weights), backend, imgsz: opts.imgsz, conf: opts.conf, iou: opts.iou, maxDet: opts.maxDet, agnostic: opts.agnostic, rect: opts.rect, end2end: !!model.head?.end2end, ...(names ? { names } : {}) };
        let run;
        try {
          run = await runPredict(model, files, o.out, { ...opts, save: o.save, folder, meta, ...(names ? { names } : {}) });
        } catch (e) {
          if (e instanceof ImageDecodeError || e instanceof WeightsError) throw new UsageError(e.message);
          throw e;
        }
        for (const err of run.errors) process.stderr.write(`WARNING skipped ${err.error}\n`);
        const n = run.results.reduce((a, r) => a + r.detections.length, 0);
        const ms = run.results.map((r) => r.speed.preprocess + r.speed.inference + r.speed.postprocess).sort((a, b) => a - b);
        const median = ms.length ? ` (median ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} ms per image)` : '';
        console.log(`${run.results.length} image${run.results.length === 1 ? '' : 's'}, ${n} detections${median}; results saved to ${resolve(o.out)}`);
        if (run.errors.length) process.exitCode = 2;
      } finally {
        model.dispose();
      }
    });
}
