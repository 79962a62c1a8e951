import { BROWSER_BACKENDS, at, fetchFixture, fetchText } from '@plugconv/test-harness/browser';
import { describe, expect, it } from 'vitest';
import { buildModel, coreModules, decodeSafetensors, deploy, parseYoloConfig, Registry, runFixtureAsync, TOLERANCE, useBackend } from '@plugconv/core';
import { nonMaxSuppression } from '../src/predict/nms.js';
import { scaleBoxes } from '../src/predict/scale-boxes.js';

// GPU suite of the predict path: the deployed model (every folded Conv on the fused conv+bias kernel) against
// PyTorch's output, and ultralytics' NMS fixture, on webgl, webgpu and browser wasm.
const core = (name: string) => at(`../../core/fixtures/models/${name}`, import.meta.url);
const own = (name: string) => at(`../fixtures/predict/${name}`, import.meta.url);

describe.each(BROWSER_BACKENDS)('predict path on %s', (backend) => {
  it('deployed yolov8-t (fused conv + bias) matches PyTorch', async () => {
    await useBackend(backend);
    const yaml = await fetchText(core('yolov8.yaml'));
    const fixture = await fetchFixture(core('yolov8-t.safetensors'));
    const model = buildModel(parseYoloConfig(yaml, 'yolov8.yaml'), { registry: new Registry(coreModules), scale: 't', warn: () => {}, ultralytics: '8.2' });
    model.loadStateDict(fixture.state);
    deploy(model);
    const r = await runFixtureAsync(model, fixture, TOLERANCE[backend]);
    console.log(`[gpu-suite] ${backend} yolov8-t deployed max|err| ${r.maxAbsError.toExponential(2)} ${r.pass ? 'PASS' : 'FAIL'}`);
    model.dispose();
    expect(r.pass).toBe(true);
  });

  it('non_max_suppression + scale_boxes give ultralytics detections', async () => {
    await useBackend(backend);
    // the NMS fixture holds pred/det, not input/output: read it with the plain safetensors decoder
    const res = await fetch(own('nms_480x640_nc80.safetensors'));
    const tensors = decodeSafetensors(new Uint8Array(await res.arrayBuffer()), 'nms_480x640_nc80.safetensors');
    const [dets] = await nonMaxSuppression(tensors.get('pred')!);
    const scaled = scaleBoxes([640, 640], dets!, [480, 640]);
    const ref = (await tensors.get('det')!.array()) as number[][];
    // exactly equal: boxes, scores, classes and order
    expect(scaled.map((d) => [...d.box, d.conf, d.cls])).toEqual(ref);
    for (const x of tensors.values()) x.dispose();
  });
});
