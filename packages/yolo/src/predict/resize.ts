import { createImage, type RgbImage } from './image.js';

/** cv2's INTER_RESIZE_COEF_BITS: interpolation weights of 8-bit images are integers scaled by 2^11. */
const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

/** Round half to even, as C's lrint/cvRound in the default rounding mode. */
function rint(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * One axis of cv2's INTER_LINEAR table: for each destination index the first source index and the two 11-bit
 * weights. Half-pixel centres, computed in float32 as cv2 does (`fx = (float)((dx+0.5)*scale - 0.5)`), with
 * `clamp` (cv2's horizontal table): an index outside the source is clamped to the border with weight 0 on the
 * missing neighbour. Without it (cv2's vertical table) the index may be -1 or src-1 with a fractional weight;
 * the caller clips the rows it reads.
 */
export function linearTaps(
  src: number,
  dst: number,
  clamp = true,
): {
  /** Per destination index, the first of the two source indices it reads. */
  index: Int32Array;
  /** Its 11-bit weight (of 2048). */
  w0: Int32Array;
  /** The next source index's 11-bit weight. */
  w1: Int32Array;
} {
  const scale = 1 / (dst / src); // cv2: scale_x = 1./inv_scale_x, inv_scale_x = (double)dsize/ssize
  const index = new Int32Array(dst);
  const w0 = new Int32Array(dst);
  const w1 = new Int32Array(dst);
  for (let d = 0; d < dst; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (clamp && s < 0) {
      f = 0;
      s = 0;
    }
    if (clamp && s >= src - 1) {
      f = 0;
      s = src - 1;
    }
    index[d] = s;
    w0[d] = rint(Math.fround(1 - f) * COEF_SCALE);
    w1[d] = rint(f * COEF_SCALE);
  }
  return { index, w0, w1 };
}

/**
 * cv2.resize(img, (width, height), interpolation=cv2.INTER_LINEAR) for 8-bit images, bit for bit as OpenCV's
 * x86 build computes it: a horizontal pass with 11-bit integer weights into 32-bit rows, then the vertical
 * blend as its SIMD kernel does it, `((r0 >> 4) * b0 >> 16) + ((r1 >> 4) * b1 >> 16) + 2 >> 2` (the scalar
 * formula `(r0*b0 + r1*b1 + 2^21) >> 22` differs by at most 1). Rows above the first or below the last are
 * the border row, keeping their fractional weights (cv2 clamps columns, not rows). An exact 2x reduction on both axes is
 * what cv2 then runs instead, INTER_AREA: the rounded mean of each 2x2 block.
 */
export function resizeLinearCv2(img: RgbImage, width: number, height: number): RgbImage {
  const { width: sw, height: sh, channels: cn } = img;
  const out = createImage(width, height, cn);
  if (sw === 2 * width && sh === 2 * height) return halveArea(img, out);
  const xs = linearTaps(sw, width);
  const ys = linearTaps(sh, height, false);
  // horizontally resized source rows: a ring of two, as cv2 keeps (destination rows read source rows in order)
  const ring: RowRing = { rows: [-1, -1], values: [new Int32Array(width * cn), new Int32Array(width * cn)] };
  for (let dy = 0; dy < height; dy++) {
    const sy = ys.index[dy]!;
    const y0 = Math.min(Math.max(sy, 0), sh - 1);
    const y1 = Math.min(Math.max(sy + 1, 0), sh - 1);
    const r0 = ringRow(ring, y0, y1, img, xs);
    const r1 = ringRow(ring, y1, y0, img, xs);
    blendRows(r0, r1, ys.w0[dy]!, ys.w1[dy]!, out.data, dy * width * cn);
  }
  return out;
}

/** One axis' table of {@link linearTaps}. */
type Taps = ReturnType<typeof linearTaps>;

/** Two horizontally resized source rows and which source row each holds (-1: none yet). */
interface RowRing {
  rows: [number, number];
  values: [Int32Array, Int32Array];
}

/**
 * Source row `y` resized horizontally, from the ring: computed into the slot that does not hold row `keep` (the
 * other row the destination row needs) when neither slot holds it. Module-level functions rather than closures
 * made per call: V8 optimises a closure per instance, so a per-call closure was compiled again for every image.
 */
function ringRow(ring: RowRing, y: number, keep: number, img: RgbImage, xs: Taps): Int32Array {
  if (ring.rows[0] === y) return ring.values[0];
  if (ring.rows[1] === y) return ring.values[1];
  const slot = ring.rows[0] === keep ? 1 : 0;
  ring.rows[slot] = y;
  horizontalRow(img, y, xs, ring.values[slot]);
  return ring.values[slot];
}

/** Row `y` of `img` resized to `xs`' width with its 11-bit weights, into `out` (32-bit sums). */
function horizontalRow(img: RgbImage, y: number, xs: Taps, out: Int32Array): void {
  const { width: sw, channels: cn, data: src } = img;
  const base = y * sw * cn;
  const width = xs.index.length;
  for (let dx = 0; dx < width; dx++) {
    const s0 = base + xs.index[dx]! * cn;
    const s1 = xs.index[dx]! + 1 < sw ? s0 + cn : s0;
    const a0 = xs.w0[dx]!;
    const a1 = xs.w1[dx]!;
    for (let c = 0; c < cn; c++) out[dx * cn + c] = src[s0 + c]! * a0 + src[s1 + c]! * a1;
  }
}

/** The vertical blend of two horizontal rows with weights b0, b1 into `dst` from offset `o`. */
function blendRows(r0: Int32Array, r1: Int32Array, b0: number, b1: number, dst: Uint8Array, o: number): void {
  for (let i = 0; i < r0.length; i++) {
    // int16 lanes: (r >> 4) fits, v_mul_hi keeps the high 16 bits of the 32-bit product
    const v = (((r0[i]! >> 4) * b0) >> 16) + (((r1[i]! >> 4) * b1) >> 16) + 2;
    dst[o + i] = Math.min(255, Math.max(0, v >> 2));
  }
}

/** cv2's INTER_AREA for an exact 2x reduction: (a + b + c + d + 2) >> 2 per 2x2 block. */
function halveArea(img: RgbImage, out: RgbImage): RgbImage {
  const { width: sw, channels: cn, data: src } = img;
  const row = sw * cn;
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const s = 2 * y * row + 2 * x * cn;
      const d = (y * out.width + x) * cn;
      for (let c = 0; c < cn; c++) out.data[d + c] = (src[s + c]! + src[s + cn + c]! + src[s + row + c]! + src[s + row + cn + c]! + 2) >> 2;
    }
  }
  return out;
}
