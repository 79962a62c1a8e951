import { describe, expect, it } from 'vitest';
import { at, BROWSER_BACKENDS, browserCheck, fetchText } from '@plugconv/test-harness/browser';
import { buildModel, coreModules, parseYoloConfig, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

const registry = new Registry(coreModules, modules);
const byMeta = (meta: Record<string, unknown>) => registry.get(meta.module as string)!.create(...(meta.args as unknown[]));
const fx = (name: string) => at(`../fixtures/${name}`, import.meta.url);

describe.each(BROWSER_BACKENDS)('dsconv on %s', (backend) => {
  it.each(['DSConv2D_16_32_k3_b8', 'DSConv2D_16_32_k3_float', 'C2f_DSConv_32_32_n1_sc'])('%s matches PyTorch', async (name) => {
    const r = await browserCheck(fx(`${name}.safetensors`), byMeta, backend);
    expect(r.params).toBe(r.meta.params);
    expect(r.pass).toBe(true);
  });

  it('yolov8-C2f-DSConv at scale t matches PyTorch end to end', async () => {
    const yaml = await fetchText(fx('models/yolov8-C2f-DSConv.yaml'));
    const r = await browserCheck(fx('models/yolov8-C2f-DSConv-t.safetensors'), () => buildModel(parseYoloConfig(yaml, 'yolov8-C2f-DSConv.yaml'), { registry, scale: 't', warn: () => {} }), backend);
    expect(r.params).toBe(r.meta.params);
    expect(r.pass).toBe(true);
  });
});
