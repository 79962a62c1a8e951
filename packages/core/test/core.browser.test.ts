import { describe, expect, it } from 'vitest';
import { at, BROWSER_BACKENDS, browserCheck, fetchText } from '@plugconv/test-harness/browser';
import { buildModel, coreModules, parseYoloConfig, Registry } from '../src/index.js';

const registry = new Registry(coreModules);
const byMeta = (meta: Record<string, unknown>) => registry.get(meta.module as string)!.create(...(meta.args as unknown[]));
const fx = (name: string) => at(`../fixtures/${name}`, import.meta.url);

describe.each(BROWSER_BACKENDS)('core on %s', (backend) => {
  it.each(['Conv_16_32_k3_s2', 'C2f_32_32_n2_sc', 'SPPF_32_32_k5'])('%s matches ultralytics', async (name) => {
    const r = await browserCheck(fx(`${name}.safetensors`), byMeta, backend);
    expect(r.params).toBe(r.meta.params);
    expect(r.pass).toBe(true);
  });

  it('yolov8 at scale t, built from YAML in the browser, matches ultralytics end to end', async () => {
    const yaml = await fetchText(fx('models/yolov8.yaml'));
    const r = await browserCheck(fx('models/yolov8-t.safetensors'), () => buildModel(parseYoloConfig(yaml, 'yolov8.yaml'), { registry, scale: 't', warn: () => {} }), backend);
    expect(r.params).toBe(1174568);
    expect(r.pass).toBe(true);
  });
});
