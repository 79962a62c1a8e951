import type { Detection } from './detection.js';
import { createImage, type RgbImage } from './image.js';
import { glyph, GLYPH_H, GLYPH_W } from './font.js';
import { pyRound } from '@plugconv/core';

/** ultralytics' Colors palette (by class index modulo 20). */
const PALETTE = ['FF3838', 'FF9D97', 'FF701F', 'FFB21D', 'CFD231', '48F90A', '92CC17', '3DDB86', '1A9334', '00D4BB', '2C99A8', '00C2FF', '344593', '6473FF', '0018EC', '8438FF', '520085', 'CB38FF', 'FF95C8', 'FF37C7'];

/** The RGB colour ultralytics draws class `cls` in. */
export function classColor(cls: number): [number, number, number] {
  const h = PALETTE[((cls % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** Fills the rectangle [x0, x1) x [y0, y1), clipped to the image. */
function fillRect(img: RgbImage, x0: number, y0: number, x1: number, y1: number, rgb: readonly number[]): void {
  const xa = Math.max(0, Math.floor(x0));
  const xb = Math.min(img.width, Math.ceil(x1));
  const ya = Math.max(0, Math.floor(y0));
  const yb = Math.min(img.height, Math.ceil(y1));
  const cn = img.channels;
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const o = (y * img.width + x) * cn;
      for (let c = 0; c < Math.min(3, cn); c++) img.data[o + c] = rgb[c]!;
    }
  }
}

/** Draws `text` with its top-left corner at (x, y), each font pixel a `scale` x `scale` square. */
export function drawText(img: RgbImage, text: string, x: number, y: number, scale: number, rgb: readonly number[]): void {
  for (let i = 0; i < text.length; i++) {
    const g = glyph(text[i]!);
    const gx = x + i * (GLYPH_W + 1) * scale;
    for (let r = 0; r < GLYPH_H; r++) {
      for (let c = 0; c < GLYPH_W; c++) if (g[r]![c] === '#') fillRect(img, gx + c * scale, y + r * scale, gx + (c + 1) * scale, y + (r + 1) * scale, rgb);
    }
  }
}

/** Width and height in pixels of `text` drawn at `scale`. */
export function textSize(text: string, scale: number): [number, number] {
  return [text.length * (GLYPH_W + 1) * scale - scale, GLYPH_H * scale];
}

/**
 * A copy of `img` with each detection drawn as ultralytics' Annotator does: a box of line width
 * max(round((h + w) / 2 * 0.003), 2) in the class colour, and a filled label `name conf` above it (inside when
 * there is no room above), white text.
 */
export function drawDetections(img: RgbImage, dets: readonly Detection[], names: readonly string[]): RgbImage {
  const out = createImage(img.width, img.height, img.channels);
  out.data.set(img.data);
  const lw = Math.max(pyRound(((img.height + img.width) / 2) * 0.003), 2);
  const scale = Math.max(1, Math.round(lw / 2));
  for (const d of dets) {
    const rgb = classColor(d.cls);
    const [x1, y1, x2, y2] = d.box.map(Math.round) as [number, number, number, number];
    fillRect(out, x1, y1, x2, y1 + lw, rgb);
    fillRect(out, x1, y2 - lw, x2, y2, rgb);
    fillRect(out, x1, y1, x1 + lw, y2, rgb);
    fillRect(out, x2 - lw, y1, x2, y2, rgb);
    const label = `${names[d.cls] ?? `class${d.cls}`} ${d.conf.toFixed(2)}`;
    const [tw, th] = textSize(label, scale);
    const pad = scale * 2;
    const outside = y1 - th - 2 * pad >= 0;
    const ty = outside ? y1 - th - 2 * pad : y1;
    fillRect(out, x1, ty, x1 + tw + 2 * pad, ty + th + 2 * pad, rgb);
    drawText(out, label, x1 + pad, ty + pad, scale, [255, 255, 255]);
  }
  return out;
}
