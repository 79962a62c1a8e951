import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, type BuildOptions, type DetectionModel } from '@plugconv/core';
import { loadYoloConfig, unscaledPath } from '@plugconv/core/node';
import { registry } from './registry.generated.js';
import { isWeightsFile, loadCheckpointFile } from './checkpoint-file.js';

/** The folder of YAML configs shipped with this package. */
export const CONFIG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'configs');

/** Every shipped config file name, sorted (yolov8.yaml first). */
export function shippedConfigs(): string[] {
  return readdirSync(CONFIG_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort((a, b) => (a === 'yolov8.yaml' ? -1 : b === 'yolov8.yaml' ? 1 : a.localeCompare(b)));
}

/**
 * Resolves a config argument: an existing path, or a shipped config by name, with ultralytics' scale naming
 * (`yolov8n-C2f-DSConv.yaml` = `yolov8-C2f-DSConv.yaml` at n).
 */
export function resolveConfigPath(cfg: string): string {
  if (existsSync(cfg) || existsSync(unscaledPath(cfg).path)) return cfg;
  const shipped = join(CONFIG_DIR, cfg);
  if (existsSync(shipped) || existsSync(unscaledPath(shipped).path)) return shipped;
  const withExt = cfg.endsWith('.yaml') ? null : join(CONFIG_DIR, `${cfg}.yaml`);
  if (withExt && (existsSync(withExt) || existsSync(unscaledPath(withExt).path))) return withExt;
  throw new Error(`config '${cfg}' not found (not a file, not one of ${shippedConfigs().join(', ')})`);
}

/**
 * Builds a model with every registered module from a config path or shipped name, or from an ultralytics
 * checkpoint (`best.pt`: built from its own YAML dict with its weights and semantics, see
 * {@link loadCheckpointFile}; `scale` and `ultralytics` then override the checkpoint's).
 */
export function loadModel(cfg: string, options: Omit<BuildOptions, 'registry'> = {}): DetectionModel {
  if (isWeightsFile(cfg)) return loadCheckpointFile(cfg, { ...(options.ultralytics ? { ultralytics: options.ultralytics } : {}), ...(options.scale ? { scale: options.scale } : {}), ...(options.warn ? { warn: options.warn } : {}) }).model;
  return buildModel(loadYoloConfig(resolveConfigPath(cfg)), { registry, ...options });
}
