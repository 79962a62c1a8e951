import { createImage, type RgbImage } from './image.js';
import { pyRound } from '@plugconv/core';
import { resizeLinearCv2 } from './resize.js';

/** Options of {@link letterbox} (ultralytics' LetterBox arguments). */
export interface LetterboxOptions {
  /** Target size: a square side or [height, width] (default 640). */
  size?: number | [number, number];
  /** Pad only to a multiple of `stride` (ultralytics' auto=True, rectangular inference) instead of to `size`. */
  auto?: boolean;
  /** Stride for `auto` (default 32). */
  stride?: number;
  /** Allow enlarging small images (default true). */
  scaleup?: boolean;
  /** Border value (default 114). */
  padValue?: number;
}

/** A letterboxed image and how to map boxes back: original = (letterboxed - pad) / ratio. */
export interface Letterboxed {
  /** The resized and padded image. */
  image: RgbImage;
  /** Resize gain applied to the original. */
  ratio: number;
  /** Pixels added on the left. */
  padLeft: number;
  /** Pixels added on the top. */
  padTop: number;
}

/**
 * ultralytics 8.2's LetterBox (center=True): r = min(H'/h, W'/w) (capped at 1 without scaleup), new size
 * (round(w*r), round(h*r)) with Python's rounding, cv2 INTER_LINEAR resize ({@link resizeLinearCv2}) when the
 * size changes, then a constant border: top = round(dh - 0.1), bottom = round(dh + 0.1), same for left/right,
 * where dh, dw are half the missing height and width.
 */
export function letterbox(img: RgbImage, options: LetterboxOptions = {}): Letterboxed {
  const size = options.size ?? 640;
  const [th, tw] = typeof size === 'number' ? [size, size] : size;
  const stride = options.stride ?? 32;
  const pad = options.padValue ?? 114;
  let r = Math.min(th / img.height, tw / img.width);
  if (options.scaleup === false) r = Math.min(r, 1);
  const nw = pyRound(img.width * r);
  const nh = pyRound(img.height * r);
  let dw = tw - nw;
  let dh = th - nh;
  if (options.auto) {
    dw %= stride;
    dh %= stride;
  }
  dw /= 2;
  dh /= 2;
  const resized = nw === img.width && nh === img.height ? img : resizeLinearCv2(img, nw, nh);
  const top = pyRound(dh - 0.1);
  const bottom = pyRound(dh + 0.1);
  const left = pyRound(dw - 0.1);
  const right = pyRound(dw + 0.1);
  const cn = img.channels;
  const out = createImage(nw + left + right, nh + top + bottom, cn, pad);
  const rowBytes = nw * cn;
  for (let y = 0; y < nh; y++) {
    out.data.set(resized.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((y + top) * out.width + left) * cn);
  }
  return { image: out, ratio: r, padLeft: left, padTop: top };
}
