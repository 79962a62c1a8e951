import { describe, expect, it } from 'vitest';
import { coreModules, createModule, deploy, Registry, ultralyticsVersion } from '../src/index.js';
import { checkFixture } from '../src/node.js';
import { fixturePath } from './helpers.js';

const registry = new Registry(coreModules);
/** Builds a fixture's module with the semantics of the ultralytics that made it. */
const byMeta = (meta: Record<string, unknown>) => createModule(registry.get(meta.module as string)!, meta.args as unknown[], { ultralytics: ultralyticsVersion(meta.ultralytics) });

const CASES = ['C3k2_32_32_n1_c3kF', 'C3k2_32_48_n2_c3kT', 'C3k2_64_64_n1_attn', 'C2PSA_128_128_n1', 'A2C2f_64_64_n1_a4_res', 'SPPF_32_32_k5_n3_sc'];

describe.each(['cpu', 'wasm'] as const)('ultralytics 8.4 blocks match PyTorch on %s', (backend) => {
  it.each(CASES)('%s', async (name) => {
    const r = await checkFixture(fixturePath(`v11/modules/${name}.safetensors`), byMeta, backend);
    console.log(`${name} ${backend}: max abs error ${r.maxAbsError.toExponential(2)}, worst |err|/tol ${r.worstRatio.toFixed(3)}`);
    expect(r.params).toBe(r.fixture.meta.params);
    expect(r.pass).toBe(true);
  });
});

// deploy() (Conv+BN folded) takes the inference paths: per-group attention on wasm, split and concat folded into
// the 1x1 convs around them; they must give the same outputs
describe.each(['cpu', 'wasm'] as const)('ultralytics 8.4 blocks, deployed, match PyTorch on %s', (backend) => {
  it.each(CASES)('%s', async (name) => {
    const r = await checkFixture(fixturePath(`v11/modules/${name}.safetensors`), byMeta, backend, (m) => deploy(m));
    console.log(`${name} ${backend} deployed: max abs error ${r.maxAbsError.toExponential(2)}, worst |err|/tol ${r.worstRatio.toFixed(3)}`);
    expect(r.pass).toBe(true);
  });
});
