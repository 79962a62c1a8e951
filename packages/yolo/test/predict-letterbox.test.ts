import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors } from '@plugconv/core/node';
import { letterbox } from '../src/predict/letterbox.js';
import { linearTaps, resizeLinearCv2 } from '../src/predict/resize.js';
import { createImage, type RgbImage } from '../src/predict/image.js';
import { pyRound } from '@plugconv/core';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/predict/${name}`, import.meta.url));

function toImage(t: tf.Tensor): RgbImage {
  const [h, w, c] = t.shape as [number, number, number];
  return { width: w, height: h, channels: c, data: Uint8Array.from(t.dataSync()) };
}

/** Largest |a - b| and how many samples differ at all. */
function compare(a: RgbImage, b: RgbImage): { max: number; differing: number } {
  expect([a.height, a.width, a.channels]).toEqual([b.height, b.width, b.channels]);
  let max = 0;
  let differing = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (d) differing++;
    max = Math.max(max, d);
  }
  return { max, differing };
}

/** The synthetic source of the letterbox fixtures (reference/make_letterbox_fixtures.py). */
function synthetic(h: number, w: number): RgbImage {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) img.data[(y * w + x) * 3 + c] = ((x * 37 + y * 91 + c * 53) ^ ((x * y) >> 3)) & 255;
  return img;
}

describe('letterbox (ultralytics LetterBox, auto=False)', () => {
  it('matches the shared 480x640 fixture exactly (pad only, centred)', () => {
    const t = readSafetensors(fixture('letterbox_480x640.safetensors'));
    const lb = letterbox(toImage(t.get('image')!), { size: 640 });
    expect(lb).toMatchObject({ ratio: 1, padLeft: 0, padTop: 80 });
    expect(compare(lb.image, toImage(t.get('letterboxed')!))).toEqual({ max: 0, differing: 0 });
  });

  const cases: [string, number, number, number][] = [
    ['down_750x1000_416', 750, 1000, 416],
    ['up_150x200_320', 150, 200, 320],
    ['half_640x480_320', 640, 480, 320],
    ['odd_333x517_320', 333, 517, 320],
    ['tall_97x61_256', 97, 61, 256],
  ];
  const resized = readSafetensors(fixture('letterbox_resize.safetensors'));
  it.each(cases)('matches cv2.resize INTER_LINEAR + border for %s bit for bit', (name, h, w, size) => {
    const lb = letterbox(synthetic(h, w), { size });
    expect(compare(lb.image, toImage(resized.get(name)!))).toEqual({ max: 0, differing: 0 });
  });

  it('tf.image.resizeBilinear (half-pixel centres, rounded) is not cv2: it misses by more than the fixed-point kernel', () => {
    const src = synthetic(750, 1000);
    const ref = toImage(resized.get('down_750x1000_416')!);
    const lb = letterbox(src, { size: 416 });
    const tfOut = tf.tidy(() => tf.round(tf.image.resizeBilinear(tf.tensor3d(src.data, [750, 1000, 3], 'int32'), [312, 416], false, true)));
    const tfImg = toImage(tf.pad(tfOut, [[52, 52], [0, 0], [0, 0]], 114));
    const ours = compare(lb.image, ref);
    const theirs = compare(tfImg, ref);
    expect(ours.max).toBe(0);
    expect(theirs.differing).toBeGreaterThan(0);
  });

  it('pads to a stride multiple with auto (rectangular inference)', () => {
    const lb = letterbox(createImage(640, 480), { size: 640, auto: true, stride: 32 });
    expect([lb.image.width, lb.image.height, lb.padTop, lb.padLeft]).toEqual([640, 480, 0, 0]);
    const lb2 = letterbox(createImage(500, 375), { size: 640, auto: true });
    // r = 1.28 -> 640x480, already multiples of 32
    expect([lb2.image.width, lb2.image.height]).toEqual([640, 480]);
  });

  it('never enlarges without scaleup and keeps the border at 114', () => {
    const lb = letterbox(createImage(100, 50, 3, 7), { size: 320, scaleup: false });
    expect(lb.ratio).toBe(1);
    expect([lb.padLeft, lb.padTop]).toEqual([110, 135]);
    expect(lb.image.data[0]).toBe(114);
    expect(lb.image.data[((135 * 320) + 110) * 3]).toBe(7);
  });
});

describe("letterbox auto (ultralytics 8.4 predict's LetterBox for one image of a PyTorch model)", () => {
  const meta = JSON.parse(readFileSync(fixture('letterbox_auto.json'), 'utf8')) as {
    cases: { name: string; shape: [number, number]; imgsz: number; stride: number; letterboxed: [number, number]; ratio: number; pad: { top: number; left: number } }[];
  };
  const auto = readSafetensors(fixture('letterbox_auto.safetensors'));
  it('the fixture has the seven cases', () => expect(meta.cases.map((c) => c.name)).toEqual([...auto.keys()]));
  it.each(meta.cases.map((c) => [c.name, c] as const))("%s: ultralytics' image bit for bit, its padding and ratio", (_, c) => {
    const lb = letterbox(synthetic(...c.shape), { size: c.imgsz, auto: true, stride: c.stride });
    expect([lb.image.height, lb.image.width]).toEqual(c.letterboxed);
    expect([lb.padTop, lb.padLeft]).toEqual([c.pad.top, c.pad.left]);
    expect(lb.ratio).toBe(c.ratio);
    expect(compare(lb.image, toImage(auto.get(c.name)!))).toEqual({ max: 0, differing: 0 });
  });
  it('is not the square letterbox: same resize, less padding', () => {
    const c = meta.cases.find((x) => x.name === 'auto_300x451_320')!;
    const square = letterbox(synthetic(...c.shape), { size: c.imgsz });
    expect([square.image.height, square.image.width]).toEqual([320, 320]);
    expect(c.letterboxed).toEqual([224, 320]);
  });
});

describe('helpers', () => {
  it("pyRound is Python's round (half to even)", () => {
    expect([0.5, 1.5, 2.5, -1.5, 2.4, 2.6, 79.9].map(pyRound)).toEqual([0, 2, 2, -2, 2, 3, 80]);
  });
  it('linearTaps clamps at the borders with 11-bit weights summing to 2048', () => {
    const t = linearTaps(10, 4);
    expect(Array.from(t.index)).toEqual([0, 3, 5, 8]);
    for (let i = 0; i < 4; i++) expect(t.w0[i]! + t.w1[i]!).toBe(2048);
    const up = linearTaps(2, 8);
    expect(up.index[0]).toBe(0);
    expect([up.w0[0], up.w1[0]]).toEqual([2048, 0]);
    expect(up.index[7]).toBe(1);
  });
  it('resizeLinearCv2 of a constant image is that constant', () => {
    const r = resizeLinearCv2(createImage(37, 23, 3, 200), 101, 64);
    expect(r.data.every((v) => v === 200)).toBe(true);
  });
});
