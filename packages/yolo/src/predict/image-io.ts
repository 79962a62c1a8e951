import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { writeFileAtomic } from '@plugconv/core/node';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { rgbaToRgb, rgbToRgba, type RgbImage } from './image.js';

/** Image file extensions the predict pipeline reads and writes (JPEG and PNG). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const;

/** True when a file name has one of {@link IMAGE_EXTENSIONS} (case-insensitive). */
export function isImageFile(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

/** An image file that cannot be read or decoded; the message names the file. */
export class ImageDecodeError extends Error {
  /** The error's class name. */
  override name = 'ImageDecodeError';
}

/**
 * Decodes JPEG or PNG bytes (by their signature, not the name) to RGB; alpha is dropped, as cv2.imread does.
 * `source` names the image in errors.
 */
export function decodeImage(bytes: Uint8Array, source = 'image'): RgbImage {
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return rgbaToRgb(png.data, png.width, png.height);
    }
    if (isJpeg) {
      const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return rgbaToRgb(j.data, j.width, j.height);
    }
  } catch (e) {
    throw new ImageDecodeError(`${source}: cannot decode ${isPng ? 'PNG' : 'JPEG'} (${(e as Error).message})`);
  }
  throw new ImageDecodeError(`${source}: not a JPEG or PNG image (${bytes.length} bytes, starts ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')})`);
}

/** Reads and decodes an image file; errors name the file. */
export function readImage(path: string): RgbImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ImageDecodeError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** Encodes an RGB image as PNG or JPEG (quality 95). */
export function encodeImage(img: RgbImage, format: 'png' | 'jpeg'): Uint8Array {
  const rgba = rgbToRgba(img);
  if (format === 'jpeg') return jpeg.encode({ data: rgba, width: img.width, height: img.height }, 95).data;
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}

/** Encodes by the file's extension (.png, else JPEG) and writes atomically. */
export function writeImage(path: string, img: RgbImage): void {
  writeFileAtomic(path, encodeImage(img, extname(path).toLowerCase() === '.png' ? 'png' : 'jpeg'));
}
