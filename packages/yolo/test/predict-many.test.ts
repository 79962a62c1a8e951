// predictMany and `plugconv predict --workers`: a folder over a pool of worker threads gives, image for image and
// in input order, what the single-image path gives; a corrupt file is reported by name and skipped. The workers
// run the built worker bundle (dist/predict-worker.bundle.js), so this file needs `pnpm build` like the CLI tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.js';
import { useNodeBackend } from '../src/node-backends.js';
import { loadPredictModel, type PredictModel } from '../src/predict/model-source.js';
import { predictFile, type ImageResult } from '../src/predict/predict-file.js';
import { predictMany, type PredictProgress } from '../src/predict-many.js';
import { captureOutput } from './capture-output.js';

const core = (name: string) => fileURLToPath(new URL(`../../core/fixtures/models/${name}`, import.meta.url));
const source = { model: core('yolov8.yaml'), scale: 't', weights: core('yolov8-t.safetensors') };
const demo = fileURLToPath(new URL('../fixtures/demo', import.meta.url));
const IMGSZ = 160;
const output = captureOutput();

let dir: string;
let files: string[];
let reference: ImageResult[];
/** Results without their timings. */
const detections = (rs: ImageResult[]) => rs.map(({ speed, ...r }) => r);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plugconv-predict-many-'));
  mkdirSync(join(dir, 'images'));
  for (const f of readdirSync(demo).filter((f) => f.endsWith('.png'))) copyFileSync(join(demo, f), join(dir, 'images', f));
  // sorts between coffee.png and rocket-portrait.png: a PNG signature and then nothing a PNG has
  writeFileSync(join(dir, 'images', 'corrupt.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
  files = readdirSync(join(dir, 'images')).sort().map((f) => join(dir, 'images', f));
  // the single-image path on this thread, with the backend the workers use
  await useNodeBackend('wasm');
  const loaded: PredictModel = loadPredictModel(source);
  try {
    reference = [];
    for (const f of files) if (!f.endsWith('corrupt.png')) reference.push(await predictFile(loaded.model, f, { imgsz: IMGSZ }));
  } finally {
    loaded.model.dispose();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('predictMany (2 workers, yolov8-t fixture weights)', () => {
  it('gives the single-image detections in input order, reports the corrupt file and goes on', async () => {
    expect(files.map((f) => basename(f))).toEqual(['chelsea-wide.png', 'chelsea.png', 'coffee-square.png', 'coffee.png', 'corrupt.png', 'rocket-portrait.png']);
    expect(reference.reduce((a, r) => a + r.detections.length, 0)).toBeGreaterThan(0);
    const progress: PredictProgress[] = [];
    const run = await predictMany(source, join(dir, 'images'), { workers: 2, imgsz: IMGSZ, onProgress: (p) => progress.push(p) });
    expect(run.workers).toBe(2);
    expect(run.results.map((r) => r.file)).toEqual(files.filter((f) => !f.endsWith('corrupt.png')));
    expect(detections(run.results)).toEqual(detections(reference));
    expect(run.errors).toEqual([{ file: files[4], error: expect.stringMatching(/corrupt\.png: cannot decode PNG \(.+\)$/) }]);
    expect(run.errors[0]!.error.startsWith(`${files[4]}: `)).toBe(true);
    // one report per image, as each finishes: done counts up, every index once, the corrupt one with its error
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.every((p) => p.total === 6 && p.file === files[p.index])).toBe(true);
    expect(progress.map((p) => p.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(progress.find((p) => p.index === 4)).toMatchObject({ error: run.errors[0]!.error });
    expect(progress.filter((p) => p.result).length).toBe(5);
  });

  it('takes a list of files (a missing one is skipped, naming it) and writes annotated copies', async () => {
    const out = join(dir, 'annotated');
    const list = [files[5]!, join(dir, 'missing.png'), files[0]!];
    const run = await predictMany(source, list, { workers: 2, imgsz: IMGSZ, saveDir: out });
    expect(detections(run.results)).toEqual(detections([reference[4]!, reference[0]!]));
    expect(run.errors).toEqual([{ file: list[1], error: `${list[1]}: cannot read (ENOENT)` }]);
    expect(readdirSync(out).sort()).toEqual(['chelsea-wide.png', 'rocket-portrait.png']);
  });

  it('a model that does not load rejects with the reason; one worker per image at most', async () => {
    await expect(predictMany({ model: core('yolov8.yaml'), scale: 't' }, files.slice(0, 2), { workers: 2 })).rejects.toThrow(/--weights FILE is required with a YAML config/);
    await expect(predictMany({ ...source, weights: join(dir, 'none.safetensors') }, files.slice(0, 2), { workers: 2 })).rejects.toThrow(/none\.safetensors: no such file/);
    // a shipped config by name: the worker bundle finds the package's configs (the model builds, then the
    // weights of the t scale do not fit scale n)
    await expect(predictMany({ model: 'yolov8n.yaml', weights: source.weights }, files.slice(0, 1), { workers: 1 })).rejects.toThrow(
      /yolov8-t\.safetensors does not fit this model \(298 tensors; is it the right config and scale\?\): 231 shapes differ: model\.0\.conv\.weight expects \[16,3,3,3\], file has \[8,3,3,3\]/,
    );
    const one = await predictMany(source, [files[1]!], { workers: 4, imgsz: IMGSZ });
    expect(one.workers).toBe(1);
    expect(detections(one.results)).toEqual(detections([reference[1]!]));
  });

  it('a failure stops the run: no new image is handed out, and the one in flight settles before it rejects', async () => {
    // terminating a worker that is still busy (or still loading its modules) can abort the whole process, so
    // predictMany destroys its pool only once every image in flight has settled
    const seen: number[] = [];
    const stop = (p: PredictProgress) => {
      seen.push(p.index);
      if (seen.length === 1) throw new Error('stop after the first image');
    };
    const four = files.filter((f) => !f.endsWith('corrupt.png')).slice(0, 4);
    await expect(predictMany(source, four, { workers: 2, imgsz: IMGSZ, onProgress: stop })).rejects.toThrow('stop after the first image');
    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(2);
  });
});

describe('predictMany under Node flags', () => {
  it("runs in a process started with V8 flags (--max-old-space-size): the workers inherit them, as Node's default", () => {
    // a Worker refuses V8 flags passed to it explicitly (ERR_WORKER_INVALID_EXEC_ARGV); predictMany leaves the
    // workers' flags to Node unless it must drop the development condition, as under vitest
    const index = new URL('../dist/index.js', import.meta.url).href;
    const two = files.filter((f) => !f.endsWith('corrupt.png')).slice(0, 2);
    const script = `import { predictMany } from ${JSON.stringify(index)};
const run = await predictMany(${JSON.stringify(source)}, ${JSON.stringify(two)}, { workers: 2, imgsz: ${IMGSZ} });
console.log(JSON.stringify(run.results.map(({ speed, ...r }) => r)));`;
    const res = spawnSync(process.execPath, ['--max-old-space-size=2048', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(res.stderr).not.toMatch(/ERR_WORKER_INVALID_EXEC_ARGV/);
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout.trim().split('\n').at(-1)!)).toEqual(detections(reference.slice(0, 2)));
  });
});

describe('plugconv predict --source DIR --workers 2', () => {
  it('prints a line per image, skips the corrupt one with a warning, exit 2; predictions.json as the single-image path', async () => {
    const o = join(dir, 'out');
    const code = await main(['predict', source.model, '--scale', 't', '--weights', source.weights, '--source', join(dir, 'images'), '--workers', '2', '--imgsz', String(IMGSZ), '--out', o]);
    expect(code).toBe(2);
    expect(output.out[0]).toMatch(/yolov8\.yaml: weights .*yolov8-t\.safetensors, 80 classes, loaded in \d+ ms on wasm; 6 images over 2 workers$/);
    const lines = output.out.filter((l) => l.startsWith('image '));
    expect(lines).toHaveLength(5);
    // numbered as they finish: five distinct counts of 1..6 (the corrupt image's count has no line)
    const counts = lines.map((l) => Number(/^image (\d)\/6 /.exec(l)?.[1]));
    expect(new Set(counts).size).toBe(5);
    expect(counts.every((n) => n >= 1 && n <= 6)).toBe(true);
    for (const r of reference) expect(lines.some((l) => l.includes(`${r.file}: ${r.width}x${r.height} `))).toBe(true);
    expect(output.out.at(-1)).toMatch(/^5 images, \d+ detections \(median [\d.]+ ms per image\), 1 of 6 failed; results saved to /);
    expect(output.err.join('')).toMatch(/WARNING skipped .*corrupt\.png: cannot decode PNG/);
    const json = JSON.parse(readFileSync(join(o, 'predictions.json'), 'utf8'));
    expect(json).toMatchObject({ imgsz: IMGSZ, backend: 'wasm', errors: [{ file: files[4] }] });
    expect(json.images.map(({ speed, ...r }: ImageResult) => r)).toEqual(detections(reference));
    expect(readdirSync(o).sort()).toEqual(['chelsea-wide.png', 'chelsea.png', 'coffee-square.png', 'coffee.png', 'predictions.json', 'rocket-portrait.png']);
  });

  it('--workers must be an integer >= 1', async () => {
    expect(await main(['predict', source.model, '--scale', 't', '--weights', source.weights, '--source', join(dir, 'images'), '--workers', '0'])).toBe(2);
    expect(output.err.join('')).toMatch(/--workers must be an integer in \[1, 1024\], got '0'/);
  });
});

it('the worker bundle is built beside predictMany and imports neither the packages nor its own modules from outside', () => {
  const bundle = readFileSync(fileURLToPath(new URL('../dist/predict-worker.bundle.js', import.meta.url)), 'utf8');
  expect(bundle.startsWith("import { createRequire as __plugconvCreateRequire } from 'node:module';")).toBe(true);
  expect(bundle).not.toMatch(/\b(from|import\()\s*["'](@plugconv\/|@tensorflow\/|\.\.?\/)/);
  expect(bundle).not.toMatch(/\brequire\(\s*["']@(plugconv|tensorflow)\//);
});
