import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { main } from '../src/cli.js';
import { loadModel } from '../src/configs.js';
import { useNodeBackend } from '../src/node-backends.js';
import { createImage, type RgbImage } from '../src/predict/image.js';
import { decodeImage, encodeImage, readImage, writeImage } from '../src/predict/image-io.js';
import { predictImage } from '../src/predict/predict.js';
import { loadWeights } from '../src/predict/weights-file.js';
import { classColor, drawDetections } from '../src/predict/draw.js';
import { captureOutput } from './capture-output.js';

const core = (name: string) => fileURLToPath(new URL(`../../core/fixtures/models/${name}`, import.meta.url));
const CFG = core('yolov8.yaml');
const WEIGHTS = core('yolov8-t.safetensors');

/** A deterministic test picture: a gradient with two filled rectangles. */
function picture(w: number, h: number): RgbImage {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      const inA = x > w * 0.1 && x < w * 0.45 && y > h * 0.2 && y < h * 0.8;
      const inB = x > w * 0.6 && x < w * 0.9 && y > h * 0.5 && y < h * 0.9;
      img.data[o] = inA ? 220 : (x * 255) / w;
      img.data[o + 1] = inB ? 200 : (y * 255) / h;
      img.data[o + 2] = inA || inB ? 30 : 128;
    }
  }
  return img;
}

let dir: string;
const output = captureOutput();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plugconv-predict-'));
  mkdirSync(join(dir, 'images'));
  writeImage(join(dir, 'images', 'a.png'), picture(120, 90));
  writeImage(join(dir, 'images', 'b.jpg'), picture(80, 100));
  writeFileSync(join(dir, 'images', 'notes.txt'), 'not an image');
});

describe('image io', () => {
  it('PNG round-trips exactly; JPEG decodes to the same size, close to the source', () => {
    const img = picture(33, 17);
    expect(decodeImage(encodeImage(img, 'png'))).toEqual(img);
    const j = decodeImage(encodeImage(img, 'jpeg'));
    expect([j.width, j.height, j.channels]).toEqual([33, 17, 3]);
    let sum = 0;
    for (let i = 0; i < img.data.length; i++) sum += Math.abs(img.data[i]! - j.data[i]!);
    expect(sum / img.data.length).toBeLessThan(6);
  });
  it('names the file it cannot decode', () => {
    const p = join(dir, 'bad.jpg');
    writeFileSync(p, Uint8Array.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]));
    expect(() => readImage(p)).toThrow(new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot decode JPEG`));
    expect(() => decodeImage(new TextEncoder().encode('GIF89a'), 'x.gif')).toThrow(/x\.gif: not a JPEG or PNG image \(6 bytes, starts 47 49 46 38\)/);
    expect(() => readImage(join(dir, 'none.png'))).toThrow(/none\.png: cannot read \(ENOENT\)/);
  });
});

describe('drawDetections', () => {
  it('draws the box in the class colour and the label above it, leaving the source alone', () => {
    const img = createImage(200, 100, 3, 50);
    const drawn = drawDetections(img, [{ box: [40, 40, 120, 90], conf: 0.87, cls: 5 }], ['a', 'b', 'c', 'd', 'e', 'bus']);
    const px = (x: number, y: number) => Array.from(drawn.data.subarray((y * 200 + x) * 3, (y * 200 + x) * 3 + 3));
    expect(px(80, 40)).toEqual(classColor(5)); // top edge
    expect(px(40, 65)).toEqual(classColor(5)); // left edge
    expect(px(80, 65)).toEqual([50, 50, 50]); // inside
    expect(px(10, 10)).toEqual([50, 50, 50]); // outside
    const label = drawn.data.subarray(((40 - 12) * 200 + 40) * 3, (40 * 200 + 120) * 3);
    expect(Array.from(label).some((v) => v === 255)).toBe(true); // white text in the label
    expect(img.data.every((v) => v === 50)).toBe(true);
  });
});

describe('plugconv predict (yolov8-t fixture weights)', () => {
  it('writes annotated images and predictions.json for a folder, equal to predictImage', async () => {
    const o = join(dir, 'out');
    expect(await main(['predict', CFG, '--scale', 't', '--weights', WEIGHTS, '--source', join(dir, 'images'), '--out', o, '--imgsz', '128', '--backend', 'cpu'])).toBe(0);
    expect(output.out.at(-1)).toMatch(/^2 images, \d+ detections \(median [\d.]+ ms per image\); results saved to /);
    expect(readdirSync(o).sort()).toEqual(['a.png', 'b.jpg', 'predictions.json']);
    const a = readImage(join(o, 'a.png'));
    expect([a.width, a.height]).toEqual([120, 90]);
    const json = JSON.parse(readFileSync(join(o, 'predictions.json'), 'utf8'));
    expect(json).toMatchObject({ imgsz: 128, conf: 0.25, iou: 0.7, maxDet: 300, errors: [] });
    expect(json.images.map((i: { file: string }) => i.file)).toEqual([join(dir, 'images', 'a.png'), join(dir, 'images', 'b.jpg')]);

    // the same pipeline called directly gives the same detections
    await useNodeBackend('cpu');
    const model = loadModel(CFG, { scale: 't' });
    loadWeights(model, WEIGHTS);
    const before = tf.memory().numTensors;
    const p = await predictImage(model, picture(120, 90), { imgsz: 128 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    const dets = json.images[0].detections;
    expect(dets.length).toBe(p.detections.length);
    expect(dets.length).toBeGreaterThan(0);
    dets.forEach((d: { box: number[]; conf: number; cls: number; name: string }, i: number) => {
      const q = p.detections[i]!;
      expect(d.cls).toBe(q.cls);
      expect(d.conf).toBeCloseTo(q.conf, 4);
      d.box.forEach((v, k) => expect(v).toBeCloseTo(q.box[k]!, 2));
      expect(d.box[0]).toBeGreaterThanOrEqual(0);
      expect(d.box[2]).toBeLessThanOrEqual(120);
      expect(d.box[3]).toBeLessThanOrEqual(90);
      expect(d.conf).toBeGreaterThan(0.25);
    });
  });

  it('--no-save writes only the JSON; a single image prints ultralytics-style lines', async () => {
    const o = join(dir, 'out-single');
    expect(await main(['predict', CFG, '--scale', 't', '--weights', WEIGHTS, '--source', join(dir, 'images', 'a.png'), '--out', o, '--imgsz', '64', '--conf', '0.5', '--no-save', '--backend', 'cpu'])).toBe(0);
    expect(readdirSync(o)).toEqual(['predictions.json']);
    expect(output.out[1]).toMatch(/^image 1\/1 .*a\.png: 120x90 (\(no detections\)|\d+ \w+).*, [\d.]+ms$/);
    const json = JSON.parse(readFileSync(join(o, 'predictions.json'), 'utf8'));
    expect(json.images[0].detections.every((d: { conf: number }) => d.conf > 0.5)).toBe(true);
  });

  it('a missing weights file is exit 2 naming it', async () => {
    expect(await main(['predict', CFG, '--scale', 't', '--weights', join(dir, 'nope.safetensors'), '--source', join(dir, 'images')])).toBe(2);
    expect(output.err.join('')).toMatch(/--weights .*nope\.safetensors: no such file/);
  });

  it('weights of another scale are exit 2 naming the keys and shapes', async () => {
    expect(await main(['predict', CFG, '--scale', 'n', '--weights', WEIGHTS, '--source', join(dir, 'images'), '--backend', 'cpu'])).toBe(2);
    expect(output.err.join('')).toMatch(/yolov8-t\.safetensors does not fit this model .*shapes differ: model\.0\.conv\.weight expects \[16,3,3,3\], file has \[8,3,3,3\]/);
  });

  it('an undecodable image: alone exit 2 naming it; in a folder skipped with a warning, exit 2', async () => {
    const bad = join(dir, 'bad-folder');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'broken.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    writeImage(join(bad, 'ok.png'), picture(64, 64));
    expect(await main(['predict', CFG, '--scale', 't', '--weights', WEIGHTS, '--source', join(bad, 'broken.png'), '--out', join(dir, 'o1'), '--imgsz', '64', '--backend', 'cpu'])).toBe(2);
    expect(output.err.join('')).toMatch(/broken\.png: cannot decode PNG/);
    output.err.length = 0;
    expect(await main(['predict', CFG, '--scale', 't', '--weights', WEIGHTS, '--source', bad, '--out', join(dir, 'o2'), '--imgsz', '64', '--backend', 'cpu'])).toBe(2);
    expect(output.err.join('')).toMatch(/WARNING skipped .*broken\.png: cannot decode PNG/);
    const json = JSON.parse(readFileSync(join(dir, 'o2', 'predictions.json'), 'utf8'));
    expect(json.images).toHaveLength(1);
    expect(json.errors[0].file).toMatch(/broken\.png$/);
    expect(existsSync(join(dir, 'o2', 'ok.png'))).toBe(true);
  });

  it('bad options and sources are exit 2 with the reason', async () => {
    const run = (...a: string[]) => main(['predict', CFG, '--scale', 't', '--weights', WEIGHTS, ...a]);
    expect(await run('--source', join(dir, 'missing'))).toBe(2);
    expect(output.err.join('')).toMatch(/--source .*missing: no such file or folder/);
    expect(await run('--source', join(dir, 'images'), '--conf', '2')).toBe(2);
    expect(output.err.join('')).toMatch(/--conf must be a number in \[0, 1\], got '2'/);
    expect(await run('--source', join(dir, 'images'), '--imgsz', '100', '--backend', 'cpu')).toBe(2);
    expect(output.err.join('')).toMatch(/--imgsz must be a multiple of the model's stride 32, got 100/);
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(await run('--source', empty)).toBe(2);
    expect(output.err.join('')).toMatch(/no \.jpg, \.jpeg or \.png images in this folder/);
  });
});
