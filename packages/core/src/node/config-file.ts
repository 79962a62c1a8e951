import { readFileSync, existsSync } from 'node:fs';
import { ConfigError, parseYoloConfig, scaleFromName, unscaledName, type YoloConfig } from '../parse/config.js';

/**
 * ultralytics' naming: `yolov8n-C2f-DSConv.yaml` is `yolov8-C2f-DSConv.yaml` at scale n. Returns the file to
 * read (the path itself when it exists, else the path without its scale letter) and the scale its name carries.
 */
export function unscaledPath(path: string): {
  /** The file to read: `path` when it exists, else `path` with the scale letter removed (`yolov8.yaml`). */
  path: string;
  /** The scale letter the name carries (`n`), if any, whichever file is read. */
  scale?: string;
} {
  const scale = scaleFromName(path);
  const file = existsSync(path) || !scale ? path : unscaledName(path);
  return scale ? { path: file, scale } : { path: file };
}

/**
 * Reads a YOLO YAML file with ultralytics' naming: the scale letter of the name picks the scale (a copy of
 * yolov8.yaml saved as `yolov8s.yaml` builds s), and `yolov8s.yaml` reads `yolov8.yaml` when only that exists.
 */
export function loadYoloConfig(path: string): YoloConfig {
  const resolved = unscaledPath(path);
  if (!existsSync(resolved.path)) throw new ConfigError(`${path}: no such file`);
  return parseYoloConfig(readFileSync(resolved.path, 'utf8'), path);
}
