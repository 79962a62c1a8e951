// A folder over every core: predictMany's images/s with 1 worker and with N (default: every core), the speed-up
// and the peak memory of the whole process (the main thread and every worker thread: each worker holds its own
// tfjs wasm backend and its own copy of the model). The folder is IMAGES copies of the demo PNGs (five photos,
// 300-480 px) written to a temporary folder. Each worker count runs in a fresh child process, so its peak RSS
// (getrusage's maxrss) is its own; the counts take turns for REPEAT rounds and the table gives medians.
// images/s is wall-clock from predictMany's call to its return, the workers' start and model builds included,
// as a user meets it; "once warm" counts from the moment every worker has finished its first image (model
// built, first forward done) to the end; "cores busy" is the process's CPU time (every thread) over the wall
// time: what the workers got of the machine. The default model is yolov8n at 640 (rect letterbox), its random
// initialisation saved as a safetensors file first (predictMany needs a config's weights: a fresh
// initialisation would differ from worker to worker); pass a best.pt, or a YAML with --weights, to time yours.
// `--processes` adds a control to every round: as many separate Node processes as the largest worker count,
// each with one worker on its share of the images (every Nth file), all started at once; their images/s is the
// images over the slowest one's wall time (each from its own predictMany call). It is what the machine gives
// independent single-worker jobs that run side by side, the ceiling a pool in one process is measured against.
// Run after a build, alone on the machine:
//   node packages/yolo/bench/predict-many.bench.mjs [--model yolov8n.yaml] [--weights W] [--imgsz 640]
//        [--images 64] [--workers 1,2] [--repeat 3] [--backend wasm] [--processes]
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@plugconv/core';
import { writeSafetensors } from '@plugconv/core/node';
import { median, option } from '@plugconv/test-harness/timing';
import { isWeightsFile, loadModel, predictMany } from '../dist/index.js';

const model = option('model', 'yolov8n.yaml');
const imgsz = Number(option('imgsz', '640'));
const backend = option('backend', 'wasm');
const here = fileURLToPath(import.meta.url);

if (option('child', '') === '1') {
  // one measurement: `--folder DIR --workers N`, printed as one JSON line
  const folder = option('folder');
  const workers = Number(option('workers'));
  const weights = option('weights', '');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const finished = [];
  const run = await predictMany({ model, ...(weights ? { weights } : {}) }, folder, { workers, imgsz, backend, onProgress: () => finished.push(performance.now()) });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const n = run.results.length;
  const perImage = run.results.map((r) => r.speed.preprocess + r.speed.inference + r.speed.postprocess);
  // steady state: from the moment every worker has finished its first image (model built, first forward done)
  const warm = finished[run.workers - 1] - t0;
  const steady = ((finished.length - run.workers) * 1000) / (wall - warm);
  console.log(JSON.stringify({ workers: run.workers, images: n, errors: run.errors.length, wallMs: wall, warmMs: warm, steady, cores: (cpu.user + cpu.system) / 1000 / wall, medianImageMs: median(perImage), detections: run.results.reduce((a, r) => a + r.detections.length, 0), maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const count = Number(option('images', '64'));
const cores = availableParallelism();
const counts = option('workers', `1,${cores}`).split(',').map(Number);
const repeat = Number(option('repeat', '3'));
const processes = process.argv.includes('--processes') ? Math.max(...counts) : 0;

/** One child measurement (`node <this file> --child 1 ...args`), in its own process: its JSON line. */
function measure(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line?.startsWith('{')) reject(new Error(`${args.join(' ')}: exit ${code}\n${out}${err}`));
      else resolve(JSON.parse(line));
    });
  });
}
const dir = mkdtempSync(join(tmpdir(), 'plugconv-predict-many-bench-'));
try {
  const demo = fileURLToPath(new URL('../fixtures/demo', import.meta.url));
  const pngs = readdirSync(demo).filter((f) => f.endsWith('.png')).sort();
  mkdirSync(join(dir, 'images'));
  // the folder, and the control's shares of it (image i goes to process i % processes)
  for (let p = 0; p < processes; p++) mkdirSync(join(dir, `share-${p}`));
  for (let i = 0; i < count; i++) {
    const png = pngs[i % pngs.length];
    const name = `${String(i).padStart(3, '0')}-${png}`;
    copyFileSync(join(demo, png), join(dir, 'images', name));
    if (processes) copyFileSync(join(demo, png), join(dir, `share-${i % processes}`, name));
  }
  let weights = option('weights', '');
  if (!weights && !isWeightsFile(model)) {
    await useBackend('cpu');
    const m = loadModel(model);
    weights = join(dir, 'weights.safetensors');
    const sd = m.stateDict();
    writeSafetensors(weights, sd);
    for (const t of sd.values()) t.dispose();
    m.dispose();
  }
  const what = `${basename(model)}${weights && option('weights', '') ? ` with ${basename(weights)}` : isWeightsFile(model) ? '' : ' (random init)'}`;
  console.log(`predictMany: ${count} images (the ${pngs.length} demo PNGs, copied), ${what}, imgsz ${imgsz} rect, ${backend}; ${cores} cores, load average before ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  // the worker counts take turns, `repeat` rounds, so load from other processes hits them alike; medians per count
  const samples = new Map(counts.map((w) => [w, []]));
  const control = [];
  const childArgs = (folder, workers) => [here, '--child', '1', '--folder', folder, '--workers', String(workers), '--model', model, '--imgsz', String(imgsz), '--backend', backend, ...(weights ? ['--weights', weights] : [])];
  // the control: its processes run at the same time, the worker counts one after the other
  for (let r = 0; r < repeat; r++) {
    if (processes) {
      const runs = await Promise.all(Array.from({ length: processes }, (_, p) => measure(childArgs(join(dir, `share-${p}`), 1))));
      const wallMs = Math.max(...runs.map((m) => m.wallMs));
      control.push({ ips: (runs.reduce((a, m) => a + m.images, 0) * 1000) / wallMs, wallMs, medianImageMs: median(runs.map((m) => m.medianImageMs)) });
    }
    for (const workers of counts) {
      const m = await measure(childArgs(join(dir, 'images'), workers));
      samples.get(workers).push({ ...m, ips: (m.images * 1000) / m.wallMs });
    }
  }
  console.log(`| workers | images/s | speed-up | wall s | every worker warm at s | images/s once warm | speed-up once warm | median ms per image (in its worker) | cores busy | peak RSS MiB |`);
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const med = (ms, k) => median(ms.map((m) => m[k]));
  const base = samples.get(counts[0]);
  for (const [workers, ms] of samples) {
    console.log(`| ${ms[0].workers} | ${med(ms, 'ips').toFixed(2)} | ${(med(ms, 'ips') / med(base, 'ips')).toFixed(2)}x | ${(med(ms, 'wallMs') / 1000).toFixed(1)} | ${(med(ms, 'warmMs') / 1000).toFixed(1)} | ${med(ms, 'steady').toFixed(2)} | ${(med(ms, 'steady') / med(base, 'steady')).toFixed(2)}x | ${med(ms, 'medianImageMs').toFixed(0)} | ${med(ms, 'cores').toFixed(2)} | ${Math.max(...ms.map((m) => m.maxRssMiB)).toFixed(0)} |`);
  }
  if (repeat > 1) {
    console.log(`\nmedians of ${repeat} rounds; every round's images/s (cores busy):`);
    for (const [workers, ms] of samples) console.log(`  ${workers} worker${workers > 1 ? 's' : ''}: ${ms.map((m) => `${m.ips.toFixed(2)} (${m.cores.toFixed(2)})`).join(', ')}`);
    // a round runs the counts back to back, so its own ratio is the one least moved by load that comes and goes
    for (const [workers, ms] of [...samples].slice(1)) {
      const ratios = ms.map((m, r) => m.ips / base[r].ips);
      console.log(`  speed-up of ${workers} workers round by round: ${ratios.map((x) => `${x.toFixed(2)}x`).join(', ')}; median ${median(ratios).toFixed(2)}x`);
    }
  }
  if (processes) {
    const ratios = control.map((c, r) => c.ips / base[r].ips);
    console.log(`\ncontrol, ${processes} separate processes of 1 worker each on every ${processes === 2 ? 'other' : `${processes}th`} image, started at once: ${median(control.map((c) => c.ips)).toFixed(2)} images/s (median of ${repeat}), ${(median(control.map((c) => c.ips)) / median(base.map((m) => m.ips))).toFixed(2)}x ${counts[0]} worker${counts[0] > 1 ? 's' : ''}; median ms per image ${median(control.map((c) => c.medianImageMs)).toFixed(0)}`);
    console.log(`  rounds: ${control.map((c) => c.ips.toFixed(2)).join(', ')}; speed-up round by round ${ratios.map((x) => `${x.toFixed(2)}x`).join(', ')}; median ${median(ratios).toFixed(2)}x`);
  }
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
