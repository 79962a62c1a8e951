import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { coreModules, createModule, deploy, Registry } from '../src/index.js';
import { checkFixture, loadYoloConfig } from '../src/node.js';
import { buildModel } from '../src/index.js';

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const registry = new Registry(coreModules);
// these fixtures come from ultralytics 8.2.82
const byMeta = (meta: Record<string, unknown>) => createModule(registry.get(meta.module as string)!, meta.args as unknown[], { ultralytics: '8.2' });

describe.each(['cpu', 'wasm'] as const)('PyTorch parity on %s', (backend) => {
  it.each(['Conv_16_32_k3_s2', 'C2f_32_32_n2_sc', 'SPPF_32_32_k5'])('%s matches ultralytics', async (name) => {
    const r = await checkFixture(fx(`${name}.safetensors`), byMeta, backend);
    expect(r.params).toBe(r.fixture.meta.params);
    expect(r.maxAbsError).toBeLessThan(1e-3);
    expect(r.pass).toBe(true);
  });

  it('yolov8 at scale t (64x64) matches ultralytics end to end', async () => {
    const r = await checkFixture(fx('models/yolov8-t.safetensors'), () => buildModel(loadYoloConfig(fx('models/yolov8.yaml')), { registry, scale: 't', ultralytics: '8.2' }), backend);
    expect(r.params).toBe(1174568);
    expect(r.pass).toBe(true);
  });

  // deployed: C2f's split and concat folded into its 1x1 convs (on wasm), the same outputs
  it.each(['C2f_32_32_n2_sc', 'models/yolov8-t'])('%s deployed matches ultralytics', async (name) => {
    const make = name.startsWith('models/') ? () => buildModel(loadYoloConfig(fx('models/yolov8.yaml')), { registry, scale: 't', ultralytics: '8.2' }) : byMeta;
    const r = await checkFixture(fx(`${name}.safetensors`), make, backend, (m) => deploy(m));
    expect(r.pass).toBe(true);
  });
});
