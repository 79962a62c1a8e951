// predictMany: a folder of images over every core. tfjs' wasm backend runs one thread in Node, so the images
// are spread over a piscina pool of worker threads, each with its own backend and its own copy of the model.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { NodeBackendName } from './node-backends.js';
import type { PredictModelSource } from './predict/model-source.js';
import type { ImageResult } from './predict/predict-file.js';
import type { PredictOptions } from './predict/predict.js';
import { listSources } from './predict/sources.js';
import type { PredictTask, PredictTaskResult } from './predict-worker.js';

/** One image done (or skipped): reported as each finishes, in the order they finish. */
export interface PredictProgress {
  /** Images finished so far, this one included. */
  done: number;
  /** Images in the input. */
  total: number;
  /** The image's index in the input. */
  index: number;
  /** The image file, as given. */
  file: string;
  /** Its result, or */
  result?: ImageResult;
  /** why it was skipped (the message names the file). */
  error?: string;
}

/** Options of {@link predictMany}. */
export interface PredictManyOptions extends PredictOptions {
  /** Worker threads, each with its own model (default: os.availableParallelism(), at most one per image). */
  workers?: number;
  /** tfjs backend of every worker (default wasm). */
  backend?: NodeBackendName;
  /** Write annotated copies into this folder, under each source's name. */
  saveDir?: string;
  /** Called once per image as it finishes. */
  onProgress?: (p: PredictProgress) => void;
}

/** What {@link predictMany} gives: results in input order, the skipped files and the pool size. */
export interface PredictManyResult {
  /** One per readable image, in input order. */
  results: ImageResult[];
  /** Files that could not be read or decoded, in input order, with the reason (naming the file). */
  errors: {
    /** The file skipped. */
    file: string;
    /** Why (the message names the file). */
    error: string;
  }[];
  /** Worker threads used. */
  workers: number;
}

/**
 * The worker module: dist/predict-worker.bundle.js beside this file (dist/predict-worker.js with everything it
 * imports, tfjs included, in one file: a worker thread loads it in about a third of the time the separate
 * modules take; see scripts/bundle-worker.mjs). Run from the TypeScript sources (tests), this file is
 * src/predict-many.ts and the worker is the built one, since a worker thread runs plain JavaScript.
 */
function workerFile(): string {
  const here = import.meta.url;
  const path = fileURLToPath(new URL(`${here.endsWith('.ts') ? '../dist/' : './'}predict-worker.bundle.js`, here));
  if (!existsSync(path)) throw new Error(`predictMany's worker ${path} is missing: build @plugconv/yolo first (pnpm build)`);
  return path;
}

/** Node flags that load modules and take their value as the next argument (or after `=`). */
const VALUE_FLAGS = ['--conditions', '-C', '--import', '--require', '-r', '--loader', '--experimental-loader'];

/** Whether flag `a` (with `--flag=value` or the next argument as its value) is one that loads modules. */
function isLoadingFlag(a: string): boolean {
  const name = a.split('=')[0]!;
  return VALUE_FLAGS.includes(name) || /^(--enable-source-maps|--no-warnings|--experimental-[a-z-]+)$/.test(name);
}

/** Whether `a` (and its value `next`) selects the `development` export condition. */
function isDevelopmentCondition(a: string, next: string | undefined): boolean {
  return ((a === '--conditions' || a === '-C') && next === 'development') || a === '--conditions=development' || a === '-C=development';
}

/**
 * The Node flags of the workers: by default they inherit this process's own (V8 flags such as
 * `--max-old-space-size` included, which a Worker refuses when they are passed to it explicitly). Under a
 * `development` export condition (where the workspace's packages resolve to their TypeScript sources, which a
 * worker thread cannot run) the workers get this process's module-loading flags less that condition.
 */
function workerExecArgv(): string[] | undefined {
  const argv = process.execArgv;
  if (!argv.some((a, i) => isDevelopmentCondition(a, argv[i + 1]))) return undefined;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const takesValue = VALUE_FLAGS.includes(a);
    if (isDevelopmentCondition(a, argv[i + 1])) {
      if (takesValue) i++;
      continue;
    }
    if (!isLoadingFlag(a)) continue;
    out.push(a);
    if (takesValue && i + 1 < argv.length) out.push(argv[++i]!);
  }
  return out;
}

/**
 * Predicts many images over a pool of worker threads, one model per worker: `model` is a checkpoint or a
 * config name/path (or a {@link PredictModelSource} with weights, scale, ultralytics and names), built once in
 * each worker; `sources` is a folder (its JPEG/PNG files, sorted) or a list of image files. Each image goes
 * through the same pipeline as `predictImage` (letterbox, forward, NMS or top-k, scaled back), so its
 * detections are the single-image ones. An unreadable or undecodable image is reported in `errors` and
 * skipped; the others go on. A model that does not load rejects, naming the problem. Any other failure (an
 * `onProgress` that throws, a worker that dies) stops the run: no new image is handed out, and it rejects once
 * the images already in flight have settled. The workers run the worker bundle built with this package: the
 * plugconv packages and tfjs (core, cpu and wasm backends) as they were when `@plugconv/yolo` was built, with
 * the installed tfjs-backend-wasm's binaries.
 */
export async function predictMany(model: string | PredictModelSource, sources: string | string[], options: PredictManyOptions = {}): Promise<PredictManyResult> {
  const { workers: requested, backend = 'wasm', saveDir, onProgress, ...predict } = options;
  const files = typeof sources === 'string' ? listSources(sources).files : sources;
  const source = typeof model === 'string' ? { model } : model;
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 1)) throw new Error(`workers must be an integer >= 1, got ${requested}`);
  const workers = Math.max(1, Math.min(requested ?? availableParallelism(), files.length));
  const slots: PredictTaskResult[] = new Array(files.length);
  if (!files.length) return { results: [], errors: [], workers: 0 };
  const execArgv = workerExecArgv();
  const pool = new Piscina<PredictTask, PredictTaskResult>({ filename: workerFile(), minThreads: workers, maxThreads: workers, idleTimeout: 1000, ...(execArgv ? { execArgv } : {}) });
  // The first failure (a model that does not load, a worker that dies) stops the run: no new image is handed
  // out, and the pool is destroyed only once every image in flight has settled. Terminating a worker that is
  // still loading its modules aborts the whole Node process (a V8 fatal error in require(esm)), so a worker is
  // never destroyed mid-task or mid-start.
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => void (failure ??= { error });
  pool.on('error', fail);
  let next = 0;
  let done = 0;
  /** One per worker: hands the worker the next image until the input is done or the run has failed. */
  const feed = async () => {
    while (!failure && next < files.length) {
      const index = next++;
      const file = files[index]!;
      try {
        const r = await pool.run({ source, backend, options: { ...predict, ...(saveDir !== undefined ? { saveDir } : {}) }, file });
        slots[index] = r;
        done++;
        onProgress?.({ done, total: files.length, index, file, ...r });
      } catch (error) {
        fail(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, feed));
  } finally {
    await pool.destroy();
  }
  if (failure) throw failure.error;
  const results: ImageResult[] = [];
  const errors: PredictManyResult['errors'] = [];
  slots.forEach((r, i) => ('result' in r ? results.push(r.result) : errors.push({ file: files[i]!, error: r.error })));
  return { results, errors, workers };
}
