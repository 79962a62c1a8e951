/**
 * An 8-bit image in memory, rows top to bottom, pixels interleaved (HWC): RGB when `channels` is 3. The
 * predict pipeline's images are RGB (ultralytics reads BGR with cv2 and flips it; decoders here give RGB).
 */
export interface RgbImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Interleaved samples per pixel (3 for RGB). */
  channels: number;
  /** height * width * channels samples. */
  data: Uint8Array;
}

/** A zeroed image (or filled with `value`), checking the size. */
export function createImage(width: number, height: number, channels = 3, value = 0): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`image size must be positive integers, got ${width}x${height}`);
  }
  const data = new Uint8Array(width * height * channels);
  if (value) data.fill(value);
  return { width, height, channels, data };
}

/** RGBA (canvas ImageData, PNG decoders) to RGB, dropping alpha. */
export function rgbaToRgb(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): RgbImage {
  if (rgba.length !== width * height * 4) throw new Error(`RGBA buffer of ${rgba.length} bytes is not ${width}x${height}x4`);
  const out = createImage(width, height, 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out.data[j] = rgba[i]!;
    out.data[j + 1] = rgba[i + 1]!;
    out.data[j + 2] = rgba[i + 2]!;
  }
  return out;
}

/** RGB to RGBA with opaque alpha (for canvas ImageData and encoders). */
export function rgbToRgba(img: RgbImage): Uint8Array {
  if (img.channels !== 3) throw new Error(`expected an RGB image, got ${img.channels} channels`);
  const out = new Uint8Array(img.width * img.height * 4);
  for (let i = 0, j = 0; j < img.data.length; i += 4, j += 3) {
    out[i] = img.data[j]!;
    out[i + 1] = img.data[j + 1]!;
    out[i + 2] = img.data[j + 2]!;
    out[i + 3] = 255;
  }
  return out;
}
