/**
 * The plugconv demo page: pick a shipped config, a scale and a backend to see ultralytics' summary, the
 * per-layer table and the measured latency; drop an ultralytics checkpoint (best.pt) or a .yaml and a
 * .safetensors, and an image, to see detections labelled with the model's class names.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { buildModel, decodeSafetensors, deploy, parseYoloConfig, summarize, summaryLine, useBackend, type BackendName, type DetectionModel } from '@plugconv/core';
import { achievedGflops, classNames, compareConfigs, drawDetections, loadCheckpoint, loadStateInto, measureLatency, predictImage, registry, rgbaToRgb, rgbToRgba } from '@plugconv/yolo/browser';

setWasmPaths({ 'tfjs-backend-wasm.wasm': plainUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl });
tf.env().set('PROD', true);

const SHIPPED = import.meta.glob('../configs/*.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const configs = new Map<string, string>(Object.entries(SHIPPED).map(([p, text]) => [p.split('/').pop()!, text]));

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const cfgSel = $<HTMLSelectElement>('cfg');
const scaleSel = $<HTMLSelectElement>('scale');
const backendSel = $<HTMLSelectElement>('backend');
const imgszIn = $<HTMLInputElement>('imgsz');
const deployIn = $<HTMLInputElement>('deploy');
const confIn = $<HTMLInputElement>('conf');
const status = $<HTMLParagraphElement>('status');

/** Page state for people and tests: body[data-state] is loading, busy, ready or error. */
function setState(state: 'busy' | 'ready' | 'error', text: string): void {
  document.body.dataset.state = state;
  status.textContent = text;
}

let model: DetectionModel | null = null;
/** Config text, scale and structure the current model was built from. */
let built = '';
let pendingImage: File | null = null;
/** A dropped checkpoint: the model is built from it (instead of the selected config) until a config is picked. */
let checkpoint: { id: number; name: string; bytes: Uint8Array; yaml?: string; imgsz?: number } | null = null;
/** Counts dropped checkpoints: a new drop rebuilds even when the file name is the same. */
let drops = 0;
/** The current model's class names (a checkpoint's; COCO's or class<i> otherwise). */
let names: string[] | null = null;

function fillConfigs(selected?: string): void {
  const names = [...configs.keys()].sort(compareConfigs);
  cfgSel.replaceChildren(...names.map((n) => new Option(n, n, false, n === selected)));
}

function scalesOf(name: string): string[] {
  const cfg = parseYoloConfig(configs.get(name)!, name);
  return cfg.scales ? Object.keys(cfg.scales) : [''];
}

function fillScales(): void {
  const keep = scaleSel.value;
  const scales = scalesOf(cfgSel.value);
  scaleSel.replaceChildren(...scales.map((s) => new Option(s || '(none)', s, false, s === keep)));
}

function cell(text: string | number, num = false): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = String(text);
  if (num) td.className = 'num';
  return td;
}

function row(cells: HTMLTableCellElement[], head = false): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const c of cells) {
    if (head) {
      const th = document.createElement('th');
      th.textContent = c.textContent;
      tr.append(th);
    } else tr.append(c);
  }
  return tr;
}

/** ultralytics' parse table: index, from, n, params, module (package.type), arguments. */
function showLayers(m: DetectionModel): void {
  const head = row(['', 'from', 'n', 'params', 'module', 'arguments'].map((h) => cell(h)), true);
  const rows = m.info.map((l) => row([cell(l.index, true), cell(JSON.stringify(l.from)), cell(l.repeats, true), cell(l.params.toLocaleString('en-US'), true), cell(`${(registry.get(l.type)?.package ?? '').replace('@plugconv/', '')}.${l.type}`), cell(JSON.stringify(l.args))]));
  $('layers').replaceChildren(head, ...rows);
}

/** Builds the dropped checkpoint, else the selected config (if it changed), on the selected backend. */
async function ensureModel(): Promise<DetectionModel> {
  const key = `${checkpoint ? `checkpoint ${checkpoint.id}` : `${cfgSel.value}|${scaleSel.value}`}|${deployIn.checked}|${backendSel.value}`;
  if (model && built === key) return model;
  await useBackend(backendSel.value as BackendName);
  model?.dispose();
  model = null;
  if (checkpoint) {
    // read and built in the page: nothing in the file runs, its weights load as float32
    const loaded = loadCheckpoint(checkpoint.bytes, { source: checkpoint.name, ...(checkpoint.yaml ? { yaml: checkpoint.yaml } : {}), warn: () => {} });
    model = loaded.model;
    names = loaded.names;
    if (loaded.imgsz) checkpoint.imgsz = loaded.imgsz;
  } else {
    const name = cfgSel.value;
    const cfg = { ...parseYoloConfig(configs.get(name)!, name), yamlFile: name };
    model = buildModel(cfg, { registry, scale: scaleSel.value || undefined, warn: () => {} });
    names = null;
  }
  model.eval();
  if (deployIn.checked) deploy(model);
  built = key;
  return model;
}

async function buildAndTime(): Promise<void> {
  const imgsz = Number(imgszIn.value);
  if (!Number.isInteger(imgsz) || imgsz < 32 || imgsz % 32) throw new Error(`image size must be a multiple of 32, got ${imgszIn.value}`);
  setState('busy', `building ${checkpoint ? checkpoint.name : `${cfgSel.value} ${scaleSel.value}`} on ${backendSel.value}…`);
  const m = await ensureModel();
  const s = summarize(m, 640);
  $('summary').textContent = summaryLine(s);
  showLayers(m);
  setState('busy', `timing ${imgsz}x${imgsz} forwards on ${tf.getBackend()}…`);
  const lat = await measureLatency(m, [1, imgsz, imgsz, 3], 3, 1);
  const g = imgsz === 640 ? s.gflops : summarize(m, imgsz).gflops;
  $('latency').textContent = `latency ${lat.medianMs.toFixed(1)} ms median of ${lat.runs} at ${imgsz}x${imgsz} on ${tf.getBackend()} (${achievedGflops(g, 1, lat.medianMs).toFixed(1)} GFLOP/s, peak ${(lat.peakBytes / 2 ** 20).toFixed(0)} MiB)`;
  setState('ready', `ready: ${s.name}${deployIn.checked ? ' (deployed)' : ''} on ${tf.getBackend()}`);
}

async function decodeImageFile(file: File): Promise<ImageData> {
  const bitmap = await createImageBitmap(file);
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
}

async function detect(file: File): Promise<void> {
  const m = await ensureModel();
  setState('busy', `detecting in ${file.name}…`);
  let data: ImageData;
  try {
    data = await decodeImageFile(file);
  } catch (e) {
    throw new Error(`${file.name}: cannot decode this image (${(e as Error).message})`);
  }
  const img = rgbaToRgb(data.data, data.width, data.height);
  const imgsz = Number(imgszIn.value);
  const conf = Number(confIn.value);
  if (!(conf >= 0 && conf <= 1)) throw new Error(`confidence must be in [0, 1], got ${confIn.value}`);
  const p = await predictImage(m, img, { imgsz, conf });
  const labels = names ?? classNames(m.head?.nc ?? 80);
  const drawn = drawDetections(img, p.detections, labels);
  const canvas = $<HTMLCanvasElement>('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.style.width = `${Math.max(img.width, 480)}px`; // small images shown enlarged
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(rgbToRgba(drawn).buffer as ArrayBuffer), img.width, img.height), 0, 0);
  const head = row(['#', 'class', 'conf', 'x1', 'y1', 'x2', 'y2'].map((h) => cell(h)), true);
  const rows = p.detections.map((d, i) => row([cell(i, true), cell(labels[d.cls] ?? d.cls), cell(d.conf.toFixed(3), true), ...d.box.map((v) => cell(v.toFixed(1), true))]));
  $('detections').replaceChildren(head, ...rows);
  setState('ready', `${file.name}: ${p.detections.length} detections in ${p.speed.inference.toFixed(0)} ms (forward) on ${tf.getBackend()}`);
}

/**
 * Handles dropped or chosen files: a checkpoint (best.pt) becomes the model with its weights and class names; a
 * YAML selects a custom config, safetensors weights load into it; an image is detected.
 */
async function takeFiles(files: File[]): Promise<void> {
  const ckpt = files.find((f) => /\.(pt|pth)$/i.test(f.name));
  const yaml = files.find((f) => /\.ya?ml$/i.test(f.name));
  const weights = files.find((f) => f.name.endsWith('.safetensors'));
  const image = files.find((f) => f.type.startsWith('image/') || /\.(jpe?g|png|webp|bmp|gif)$/i.test(f.name));
  const loaded: string[] = [];
  if (ckpt) {
    setState('busy', `loading ${ckpt.name}…`);
    // a YAML dropped with it is the config of a plain state dict (a best.pt carries its own)
    checkpoint = { id: ++drops, name: ckpt.name, bytes: new Uint8Array(await ckpt.arrayBuffer()), ...(yaml ? { yaml: await yaml.text() } : {}) };
    let m: DetectionModel;
    try {
      m = await ensureModel();
    } catch (e) {
      checkpoint = null;
      throw e;
    }
    // ultralytics predicts at the size the checkpoint was trained at
    if (checkpoint.imgsz) imgszIn.value = String(checkpoint.imgsz);
    loaded.push(`checkpoint ${ckpt.name} (${m.head?.nc ?? 0} classes: ${(names ?? []).slice(0, 6).join(', ')}${(names?.length ?? 0) > 6 ? ', …' : ''})`);
    $('summary').textContent = summaryLine(summarize(m, 640));
    showLayers(m);
  }
  if (yaml && !ckpt) {
    checkpoint = null;
    const text = await yaml.text();
    parseYoloConfig(text, yaml.name); // fails here, naming the file, when it is not a YOLO config
    configs.set(yaml.name, text);
    fillConfigs(yaml.name);
    fillScales();
    // ultralytics' naming: yolo11n.yaml is the config at scale n
    const named = /^.*?\d+([a-z])(?:[-_.].*)?\.ya?ml$/i.exec(yaml.name)?.[1];
    if (named && scalesOf(yaml.name).includes(named)) scaleSel.value = named;
    loaded.push(`config ${yaml.name}`);
  }
  if (weights && !ckpt) {
    setState('busy', `loading ${weights.name}…`);
    const m = await ensureModel();
    const tensors = decodeSafetensors(new Uint8Array(await weights.arrayBuffer()), weights.name);
    try {
      loadStateInto(m, tensors, weights.name);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
    loaded.push(`weights ${weights.name}`);
    $('summary').textContent = summaryLine(summarize(m, 640));
    showLayers(m);
  }
  if (loaded.length) $('loaded').textContent = `loaded: ${loaded.join(', ')}`;
  if (image) pendingImage = image;
  if (pendingImage && (ckpt || weights || image)) await detect(pendingImage);
  else setState('ready', loaded.length ? `loaded ${loaded.join(', ')}` : 'nothing to load in those files');
}

/** Runs an action, showing its error on the page instead of losing it in the console. */
function guarded(action: () => Promise<void>): () => void {
  return () => {
    setState('busy', 'working…');
    action().catch((e: Error) => setState('error', `error: ${e.message}`));
  };
}

cfgSel.addEventListener('change', () => {
  checkpoint = null; // picking a config leaves the dropped checkpoint
  fillScales();
});
$('build').addEventListener('click', guarded(buildAndTime));
$<HTMLInputElement>('files').addEventListener('change', (ev) => {
  const input = ev.target as HTMLInputElement;
  guarded(() => takeFiles(Array.from(input.files ?? [])))();
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  guarded(() => takeFiles(Array.from(e.dataTransfer?.files ?? [])))();
});

fillConfigs('yolov8.yaml');
fillScales();
setState('ready', 'pick a config, a scale and a backend, then build; or drop a best.pt (or a .yaml and a .safetensors) and an image');
