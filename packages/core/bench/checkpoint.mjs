// Checkpoint parse time in Node: readCheckpoint on the repository's ultralytics checkpoints and on any .pt files
// given as arguments (e.g. a ~6 MB one from reference/make_checkpoint_fixtures.py --bench FILE). Prints the first
// read in this process (cold: what a CLI run pays), then the median of RUNS reads, split into the zip+pickle read
// and the whole checkpoint (state dict walked), with and without float32 conversion. Run after a build:  npx tsc -b packages/core && node packages/core/bench/checkpoint.mjs [FILE.pt ...]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCheckpoint, readTorchFile } from '../dist/index.js';

const runs = Number(process.env.RUNS ?? 9);
const fixtures = ['yolov8-C2f-DSConv-t.pt', 'yolo11-C3k2-DSConv-t.pt', 'yolo26-t.pt'].map((f) => fileURLToPath(new URL(`../fixtures/checkpoints/${f}`, import.meta.url)));
const files = [...fixtures, ...process.argv.slice(2)];
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const time = (fn) => {
  fn();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
};

console.log('| file | MB | tensors | first read ms | zip + pickle ms | readCheckpoint ms | readCheckpoint float32 ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const path of files) {
  const bytes = new Uint8Array(readFileSync(path));
  const t0 = performance.now();
  const ck = readCheckpoint(bytes, { source: path });
  const first = performance.now() - t0;
  const raw = time(() => readTorchFile(bytes, { source: path }));
  const full = time(() => readCheckpoint(bytes, { source: path }));
  const f32 = time(() => readCheckpoint(bytes, { source: path, float32: true }));
  console.log(`| ${basename(path)} | ${(bytes.length / 2 ** 20).toFixed(2)} | ${ck.stateDict.size} | ${first.toFixed(1)} | ${raw.toFixed(1)} | ${full.toFixed(1)} | ${f32.toFixed(1)} |`);
}
