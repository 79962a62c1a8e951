import { describe, expect, it } from 'vitest';
import { buildModel, coreModules, deploy, describeComparison, Registry, ultralyticsVersion } from '../src/index.js';
import { checkFixture, loadYoloConfig } from '../src/node.js';
import { fixturePath } from './helpers.js';

const registry = new Registry(coreModules);
const build = (cfg: string) => (meta: Record<string, unknown>) =>
  buildModel(loadYoloConfig(fixturePath(`v11/models/${cfg}.yaml`)), { registry, scale: meta.scale as string, ultralytics: ultralyticsVersion(meta.ultralytics), warn: () => {} });

describe.each(['cpu', 'wasm'] as const)('YOLO11, YOLO12, YOLO26 at scale t (64x64) match ultralytics 8.4 on %s', (backend) => {
  it.each(['yolo11', 'yolo12', 'yolo26'])('%s', async (cfg) => {
    const r = await checkFixture(fixturePath(`v11/models/${cfg}-t.safetensors`), build(cfg), backend);
    console.log(`${cfg}-t ${backend}:\n${describeComparison(r)}`);
    expect(r.pass).toBe(true);
  });
});

describe.each(['cpu', 'wasm'] as const)('YOLO11, YOLO12, YOLO26 at scale t, deployed, match ultralytics 8.4 on %s', (backend) => {
  it.each(['yolo11', 'yolo12', 'yolo26'])('%s', async (cfg) => {
    const r = await checkFixture(fixturePath(`v11/models/${cfg}-t.safetensors`), build(cfg), backend, (m) => deploy(m));
    console.log(`${cfg}-t ${backend} deployed:\n${describeComparison(r)}`);
    expect(r.pass).toBe(true);
  });
});

describe('the semantics option matters', () => {
  it("yolo11-t built with 8.2's semantics (SPPF cv1 with SiLU) fails ultralytics 8.4's fixture", async () => {
    const r = await checkFixture(fixturePath('v11/models/yolo11-t.safetensors'), (meta) => buildModel(loadYoloConfig(fixturePath('v11/models/yolo11.yaml')), { registry, scale: meta.scale as string, ultralytics: '8.2', warn: () => {} }), 'wasm');
    expect(r.pass).toBe(false);
    expect(r.maxAbsError).toBeGreaterThan(1e-2);
  });
});
