// One cold start in a fresh Node process (started by scripts/bench-cold.mjs): imports the libraries, runs to the
// first detection (or onnxruntime-web's first output) and prints the times as one JSON line.
// Usage: node scripts/bench/cold-node-child.mjs '<job JSON>'
const tStart = performance.now(); // Node's own start-up before this line: performance.now() counts from process start
const job = JSON.parse(process.argv[2]);
const { readFile } = await import('node:fs/promises');
const read = async (path) => new Uint8Array(await readFile(path));
const { plugconvFirstDetection, ortFirstRun } = await import('./cold-steps.mjs');

let result;
if (job.side === 'plugconv') {
  const t0 = performance.now();
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const core = await import(job.dist.core);
  const yolo = await import(job.dist.yolo);
  const importMs = performance.now() - t0;
  const config = job.config && { text: (await readFile(job.config.path, 'utf8')), name: job.config.file, scale: job.config.scale };
  const r = await plugconvFirstDetection({ tf, wasm, core, yolo, config, weights: { kind: job.weights.kind, name: job.weights.name, read: () => read(job.weights.path) }, imgsz: job.imgsz });
  result = { ...r, times: { import: importMs, ...r.times } };
} else {
  const t0 = performance.now();
  const ort = await import('onnxruntime-web');
  const importMs = performance.now() - t0;
  const r = await ortFirstRun({ ort, threads: 1, read: () => read(job.onnx), imgsz: job.imgsz });
  result = { ...r, times: { import: importMs, ...r.times } };
}
result.nodeStartMs = tStart;
result.totalMs = Object.values(result.times).reduce((a, v) => a + v, 0);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0); // onnxruntime-web's wasm runtime would otherwise keep the process alive
