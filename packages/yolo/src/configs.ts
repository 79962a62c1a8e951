import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, nearestNames, scaledName, scaleFromName, unscaledName, type BuildOptions, type DetectionModel } from '@plugconv/core';
import { loadYoloConfig, unscaledPath } from '@plugconv/core/node';
import { registry } from './registry.generated.js';
import { isWeightsFile, loadCheckpointFile } from './checkpoint-file.js';
import { compareConfigs } from './config-order.js';

/** The folder of YAML configs shipped with this package. */
export const CONFIG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'configs');

/** Every shipped config file name, by family (yolov8, yolo11, yolo12, yolo26), each family's base config first. */
export function shippedConfigs(): string[] {
  return readdirSync(CONFIG_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort(compareConfigs);
}

/** A path that names a YAML file, directly or with ultralytics' scale letter (`yolov8n.yaml` = `yolov8.yaml`). */
const readable = (path: string) => existsSync(unscaledPath(path).path);

/**
 * Resolves a config argument to a path `loadYoloConfig` reads: an existing YAML path, or a shipped config by
 * name, with ultralytics' scale naming (`yolo11n.yaml` = `yolo11.yaml` at n, `yolo26s-p2.yaml` = `yolo26-p2.yaml` at s) and with or
 * without `.yaml`. The path keeps the name's scale letter, so the scale comes with it. An unknown name fails
 * with the nearest shipped names (case-insensitive, with the name's scale letter): `config
 * 'yolov8n-c2f-dsconv.yaml' not found (... did you mean yolov8n-C2f-DSConv.yaml, ...?)`.
 */
export function resolveConfigPath(cfg: string): string {
  if (readable(cfg)) return cfg;
  const name = /\.ya?ml$/.test(cfg) ? cfg : `${cfg}.yaml`;
  for (const shipped of [join(CONFIG_DIR, cfg), join(CONFIG_DIR, name)]) if (readable(shipped)) return shipped;
  const scale = scaleFromName(basename(name));
  const near = nearestNames(unscaledName(basename(name)), shippedConfigs()).map((c) => (scale ? scaledName(c, scale) : c));
  throw new Error(`config '${cfg}' not found: not a file, and no shipped config has that name (did you mean ${near.join(', ')}?)`);
}

/**
 * Builds a model with every registered module from a config path or shipped name, or from an ultralytics
 * checkpoint (`best.pt`: built from its own YAML dict with its weights and semantics, see
 * {@link loadCheckpointFile}; `scale` and `ultralytics` then override the checkpoint's). A config's scale is
 * `options.scale`, else the one the name carries (`yolov8s.yaml`), else the config's first, with ultralytics' warning.
 */
export function loadModel(cfg: string, options: Omit<BuildOptions, 'registry'> = {}): DetectionModel {
  if (isWeightsFile(cfg)) return loadCheckpointFile(cfg, { ...(options.ultralytics ? { ultralytics: options.ultralytics } : {}), ...(options.scale ? { scale: options.scale } : {}), ...(options.warn ? { warn: options.warn } : {}) }).model;
  return buildModel(loadYoloConfig(resolveConfigPath(cfg)), { registry, ...options });
}
