import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { runFixture, useBackend } from '@plugconv/core';
import { readSafetensors } from '@plugconv/core/node';
import { loadCheckpointFile } from '../src/checkpoint-file.js';
import type { LoadedCheckpoint } from '../src/checkpoint.js';
import type { Detection } from '../src/predict/detection.js';
import { readImage } from '../src/predict/image-io.js';
import { letterbox } from '../src/predict/letterbox.js';
import { imageToInput, predictImage } from '../src/predict/predict.js';

// A real trained model (reference/train_demo: yolo11n with C3k2_DSConv, trained by ultralytics 8.4 on shapes drawn
// over photographs) and what ultralytics' own predict gives on its held-out images:
//   weights/shapes-yolo11n-C3k2-DSConv.pt              the stripped best.pt (fp16)
//   fixtures/demo/<image>.png                          held-out images
//   fixtures/demo/ultralytics-predict.json             per image: shape, the letterbox predict used, its boxes
//                                                      (xyxy, original pixels), scores and classes
//   fixtures/demo/ultralytics-raw-<image>.safetensors  one image's letterboxed `input` (1, 3, H, W) and the
//                                                      model's `output` (1, 4 + nc, anchors) in eval mode
const weights = fileURLToPath(new URL('../weights/shapes-yolo11n-C3k2-DSConv.pt', import.meta.url));
const demo = (name: string) => fileURLToPath(new URL(`../fixtures/demo/${name}`, import.meta.url));
const present = existsSync(weights) && existsSync(demo('ultralytics-predict.json'));
if (!present) console.warn('trained-model.test.ts: weights/shapes-yolo11n-C3k2-DSConv.pt or fixtures/demo/ is missing, the trained-model suite is skipped');

interface UltralyticsPredict {
  names: Record<string, string>;
  imgsz: number;
  conf: number;
  iou: number;
  raw: { image: string; file: string };
  images: {
    image: string;
    shape: [number, number];
    letterbox: { shape: [number, number]; ratio: number; pad: { top: number; left: number } };
    detections: { box: [number, number, number, number]; score: number; class: number; name: string }[];
  }[];
}

/** Intersection over union of two xyxy boxes. */
function iou(a: readonly number[], b: readonly number[]): number {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = w * h;
  return inter / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter);
}

describe.skipIf(!present)('the trained shapes model against ultralytics 8.4', () => {
  const ref = present ? (JSON.parse(readFileSync(demo('ultralytics-predict.json'), 'utf8')) as UltralyticsPredict) : undefined;
  let loaded: LoadedCheckpoint;
  beforeAll(async () => {
    await useBackend('wasm');
    loaded = loadCheckpointFile(weights, { warn: () => {} });
  });
  afterAll(() => loaded?.model.dispose());

  it("loads with its class names, training size and 8.4 semantics", () => {
    expect(loaded.names).toEqual(Object.values(ref!.names));
    expect(loaded.imgsz).toBe(ref!.imgsz);
    expect(loaded.semantics.version).toBe('8.4');
    expect(loaded.model.numParams()).toBe(loaded.parameterCount);
  });

  it("the stored input is plugconv's letterbox of the image, and the forward gives the stored raw output", async () => {
    const raw = readSafetensors(demo(ref!.raw.file));
    const img = readImage(demo(ref!.raw.image));
    const lb = letterbox(img, { size: ref!.imgsz, auto: true, stride: 32 });
    const ours = tf.tidy(() => tf.transpose(imageToInput(lb.image), [0, 3, 1, 2]));
    expect(ours.shape).toEqual(raw.get('input')!.shape);
    expect(tf.max(tf.abs(tf.sub(ours, raw.get('input')!))).dataSync()[0]).toBe(0);
    const r = runFixture(loaded.model, { input: raw.get('input')!, output: raw.get('output')! });
    console.log(`[trained] raw output of ${ref!.raw.image}: ${r.what}, max abs error ${r.maxAbsError.toExponential(2)}, worst |err|/tol ${r.worstRatio.toFixed(3)}`);
    expect(r.pass).toBe(true);
    tf.dispose([ours, ...raw.values()]);
  });

  it.each(ref?.images.map((i) => [i.image, i] as const) ?? [])("%s: ultralytics' boxes (same count, IoU >= 0.99, score within 1e-3, same class)", async (_, image) => {
    const img = readImage(demo(image.image));
    expect([img.height, img.width]).toEqual(image.shape);
    const lb = letterbox(img, { size: ref!.imgsz, auto: true, stride: 32 });
    expect([lb.image.height, lb.image.width]).toEqual(image.letterbox.shape);
    expect([lb.padTop, lb.padLeft]).toEqual([image.letterbox.pad.top, image.letterbox.pad.left]);
    const { detections } = await predictImage(loaded.model, img, { imgsz: ref!.imgsz, conf: ref!.conf, iou: ref!.iou });
    expect(detections).toHaveLength(image.detections.length);
    // ultralytics' order is by score; pair each of its boxes with an unused one of ours
    const used = new Set<Detection>();
    let worstIou = 1;
    let worstScore = 0;
    for (const d of image.detections) {
      const match = detections.find((q) => !used.has(q) && q.cls === d.class && iou(q.box, d.box) >= 0.99 && Math.abs(q.conf - d.score) <= 1e-3);
      expect(match, `${image.image}: no match for ${d.name} ${d.score} [${d.box}]`).toBeDefined();
      used.add(match!);
      worstIou = Math.min(worstIou, iou(match!.box, d.box));
      worstScore = Math.max(worstScore, Math.abs(match!.conf - d.score));
    }
    console.log(`[trained] ${image.image}: ${detections.length} detections, min IoU ${worstIou.toFixed(5)}, max |score diff| ${worstScore.toExponential(2)}`);
  });

  // predictImage keeps its input buffer from call to call. The cpu backend keeps the very array a tensor is made
  // from (wasm copies it into its heap), so there images of other sizes in between, or started together, would
  // see each other's pixels if the buffer outlived the forward. Small imgsz and a low conf: cpu is slow, and
  // every image must give detections for the comparison to mean something.
  it('on cpu: the same detections one image at a time, in reverse order and all started at once', async () => {
    const opts = { imgsz: 128, conf: 0.05, iou: ref!.iou };
    const images = ref!.images.slice(0, 3).map((i) => readImage(demo(i.image)));
    await useBackend('cpu');
    const { model } = loadCheckpointFile(weights, { warn: () => {} });
    try {
      const alone: Detection[][] = [];
      for (const img of images) alone.push((await predictImage(model, img, opts)).detections);
      expect(new Set(images.map((img) => letterbox(img, { size: 128, auto: true, stride: 32 }).image.height)).size).toBeGreaterThan(1);
      expect(alone.every((d) => d.length > 0)).toBe(true);
      const reversed: Detection[][] = [];
      for (const img of [...images].reverse()) reversed.unshift((await predictImage(model, img, opts)).detections);
      const together = await Promise.all(images.map((img) => predictImage(model, img, opts)));
      expect(reversed).toEqual(alone);
      expect(together.map((p) => p.detections)).toEqual(alone);
    } finally {
      model.dispose();
      await useBackend('wasm');
    }
  });
});
