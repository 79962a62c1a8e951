import type { ScaffoldContext } from './context.js';

/** bench/latency.bench.mjs: the module against the block it replaces, timed with the harness. */
export function latencyBench(ctx: ScaffoldContext): string {
  const T = ctx.token;
  const repeat = ctx.rule === 'repeat';
  const base = repeat ? 'C2f' : 'Conv';
  const make = repeat ? `(c1, c2) => [new C2f(c1, c2, 1, true), new ${T}(c1, c2, 1, true)]` : `(c1, c2) => [new Conv(c1, c2, 3, 2), new ${T}(c1, c2, 3, 2)]`;
  const cases = repeat ? '[160, 32, 32], [80, 64, 64], [40, 128, 128]' : '[160, 32, 64], [80, 64, 128], [40, 128, 256]';
  return `// Latency of ${T} against the ${base} it replaces on wasm (Node, one thread; --backend cpu for the other) at
// yolov8n's sizes for a 640x640 input: median ms of --runs interleaved runs after two warm-up rounds. Prints a
// Markdown table for the README's Measurements. Run with the package's bench script (after a build), or alone:
//   node packages/${ctx.name}/bench/latency.bench.mjs [--backend wasm] [--runs 9]
import * as tf from '@tensorflow/tfjs-core';
import { ${base}, useBackend } from '@plugconv/core';
import { forwardMedians, option } from '@plugconv/test-harness/timing';
import { ${T} } from '../dist/index.js';

const backend = option('backend', 'wasm');
const runs = Number(option('runs', '9'));
await useBackend(backend);
const make = ${make};

console.log(\`tfjs-core \${tf.version_core}, backend \${backend}, Node \${process.version}, median of \${runs} runs\\n\`);
console.log('| input (NHWC) | c1 -> c2 | ${base} ms | ${T} ms |');
console.log('|---|---|---:|---:|');
for (const [side, c1, c2] of [${cases}]) {
  const modules = make(c1, c2);
  const [a, b] = forwardMedians(modules, [1, side, side, c1], runs);
  console.log(\`| 1x\${side}x\${side}x\${c1} | \${c1} -> \${c2} | \${a.toFixed(2)} | \${b.toFixed(2)} |\`);
  modules.forEach((m) => m.dispose());
}
`;
}
