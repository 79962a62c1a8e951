import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError, parseYoloConfig, type YoloConfig } from '../parse/config.js';

/**
 * ultralytics' naming: `yolov8n-C2f-DSConv.yaml` is `yolov8-C2f-DSConv.yaml` at scale n. Returns the file to
 * read and the scale, when the name carries one and the scaled name does not exist itself.
 */
export function unscaledPath(path: string): {
  /** The path with the scale letter removed (`yolov8.yaml`), or the path itself. */
  path: string;
  /** The scale letter found (`n`), if any. */
  scale?: string;
} {
  if (existsSync(path)) return { path };
  const m = /^(.*?\d+)([a-z])((?:[-_.].*)?\.ya?ml)$/.exec(basename(path));
  if (m) {
    const candidate = join(dirname(path), `${m[1]}${m[3]}`);
    if (existsSync(candidate)) return { path: candidate, scale: m[2] };
  }
  return { path };
}

/**
 * Reads a YOLO YAML file, resolving ultralytics' scale-in-the-name convention; a file whose name carries no
 * scale keeps its own top-level `scale:` key, if it has one.
 */
export function loadYoloConfig(path: string): YoloConfig {
  const resolved = unscaledPath(path);
  if (!existsSync(resolved.path)) throw new ConfigError(`${path}: no such file`);
  const cfg = parseYoloConfig(readFileSync(resolved.path, 'utf8'), path);
  const name = basename(path);
  // the scale the file name carries, else a top-level `scale:` key (a YAML written from a checkpoint's dict)
  return { ...cfg, yamlFile: name, scale: resolved.scale ?? (typeof cfg.scale === 'string' ? cfg.scale : undefined) };
}
