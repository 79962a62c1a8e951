import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../usage-error.js';
import { isImageFile } from './image-io.js';

/** The image files a source names: the file itself, or a folder's JPEG/PNG files sorted by name. */
export function listSources(source: string): {
  /** The image files, sorted by name. */
  files: string[];
  /** Whether the source is a folder. */
  folder: boolean;
} {
  if (!existsSync(source)) throw new UsageError(`--source ${source}: no such file or folder`);
  if (statSync(source).isDirectory()) {
    const files = readdirSync(source)
      .filter(isImageFile)
      .sort()
      .map((f) => join(source, f));
    if (!files.length) throw new UsageError(`--source ${source}: no .jpg, .jpeg or .png images in this folder`);
    return { files, folder: true };
  }
  return { files: [source], folder: false };
}
