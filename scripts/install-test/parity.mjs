// DSConv2D against its PyTorch fixture, from the installed packages, on wasm and cpu.
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { checkFixture } from '@plugconv/core/node';
import { DSConv2D } from '@plugconv/dsconv';

const where = import.meta.resolve('@plugconv/dsconv');
if (!where.includes('/node_modules/@plugconv/dsconv/dist/')) throw new Error(`@plugconv/dsconv resolved to ${where}`);
let failed = 0;
for (const backend of ['wasm', 'cpu']) {
  const r = await checkFixture('./DSConv2D_16_32_k3_b8.safetensors', (meta) => new DSConv2D(...meta.args), backend);
  const ok = r.pass && r.params === r.meta.params;
  console.log(`${backend}: DSConv2D${JSON.stringify(r.meta.args)} params ${r.params} (fixture ${r.meta.params}), ${r.elements} elements, max abs error ${r.maxAbsError.toExponential(3)} ${ok ? 'PASS' : 'FAIL'}`);
  if (!ok) failed++;
}
process.exit(failed ? 1 : 0);
