import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors } from '@plugconv/core/node';
import { nonMaxSuppression } from '../src/predict/nms.js';
import { scaleBoxes } from '../src/predict/scale-boxes.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/predict/${name}`, import.meta.url));

describe('non_max_suppression + scale_boxes (ultralytics 8.2 fixture)', () => {
  it('gives the same boxes (1e-3 px), scores, classes and order as ultralytics', async () => {
    await tf.setBackend('cpu');
    const t = readSafetensors(fixture('nms_480x640_nc80.safetensors'));
    const meta = JSON.parse(readFileSync(fixture('nms_480x640_nc80.json'), 'utf8'));
    const [dets] = await nonMaxSuppression(t.get('pred')!, { conf: meta.conf, iou: meta.iou, maxDet: meta.max_det, agnostic: meta.agnostic });
    const scaled = scaleBoxes(meta.letterboxed_shape, dets!, meta.orig_shape);
    const ref = t.get('det')!.arraySync() as number[][];
    expect(scaled).toHaveLength(meta.n_det);
    expect(ref).toHaveLength(meta.n_det);
    let worst = 0;
    scaled.forEach((d, i) => {
      const r = ref[i]!;
      for (let k = 0; k < 4; k++) worst = Math.max(worst, Math.abs(d.box[k]! - r[k]!));
      expect(d.conf).toBe(r[4]);
      expect(d.cls).toBe(r[5]);
    });
    expect(worst).toBeLessThanOrEqual(1e-3);
  });
});

describe('nonMaxSuppression', () => {
  /** (1, 4+nc, anchors) from rows of [cx, cy, w, h, ...scores]. */
  const pred = (rows: number[][]) => tf.transpose(tf.tensor3d([rows]), [0, 2, 1]);

  it('suppresses overlaps within a class only, unless agnostic; sorted by confidence', async () => {
    const p = pred([
      [50, 50, 20, 20, 0.9, 0.0],
      [51, 50, 20, 20, 0.8, 0.0], // same class, IoU ~0.9 -> suppressed
      [50, 51, 20, 20, 0.0, 0.95], // other class, kept unless agnostic
      [150, 150, 10, 10, 0.3, 0.1],
      [10, 10, 4, 4, 0.2, 0.25], // best score 0.25 is not > 0.25
    ]);
    const [d] = await nonMaxSuppression(p);
    expect(d!.map((x) => [x.cls, x.conf])).toEqual([[1, Math.fround(0.95)], [0, Math.fround(0.9)], [0, Math.fround(0.3)]]);
    expect(d![1]!.box).toEqual([40, 40, 60, 60]);
    const [a] = await nonMaxSuppression(p, { agnostic: true });
    expect(a!.map((x) => x.cls)).toEqual([1, 0]);
    const [m] = await nonMaxSuppression(p, { maxDet: 1 });
    expect(m).toHaveLength(1);
    const [c] = await nonMaxSuppression(p, { classes: [0], conf: 0.5 });
    expect(c!.map((x) => x.conf)).toEqual([Math.fround(0.9)]);
    p.dispose();
  });

  it('returns one list per image, empty when nothing passes, and leaks no tensors', async () => {
    const p = tf.zeros([2, 84, 100]);
    const before = tf.memory().numTensors;
    expect(await nonMaxSuppression(p)).toEqual([[], []]);
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('refuses a wrong shape or option, naming it', async () => {
    await expect(nonMaxSuppression(tf.zeros([1, 84]))).rejects.toThrow(/\(batch, 4\+nc, anchors\).*\[1,84\]/);
    await expect(nonMaxSuppression(tf.zeros([1, 84, 4]), { iou: 1.5 })).rejects.toThrow(/iou must be in \[0, 1\], got 1.5/);
  });
});

describe('scaleBoxes', () => {
  it('removes the letterbox pad and gain, then clips', () => {
    // 480x640 image letterboxed to 320x320: gain 0.5, pad y 40
    const [d] = scaleBoxes([320, 320], [{ box: [10, 50, 330, 290], conf: 1, cls: 0 }], [480, 640]);
    expect(d!.box).toEqual([20, 20, 640, 480]);
  });
});
