import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, type BuildOptions, type DetectionModel } from '@plugconv/core';
import { loadYoloConfig, unscaledPath } from '@plugconv/core/node';
import { registry } from './registry.generated.js';
import { compareConfigs } from './config-order.js';

/** The folder of YAML configs shipped with this package. */
export const CONFIG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'configs');

/** Every shipped config file name, by family (yolov8, yolo11, yolo12, yolo26), each family's base config first. */
export function shippedConfigs(): string[] {
  return readdirSync(CONFIG_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort(compareConfigs);
}

/**
 * Resolves a config argument: an existing path, or a shipped config by name, with ultralytics' scale naming
 * (`yolo11n.yaml` = `yolo11.yaml` at n, `yolo26s-p2.yaml` = `yolo26-p2.yaml` at s).
 */
export function resolveConfigPath(cfg: string): string {
  if (existsSync(cfg) || existsSync(unscaledPath(cfg).path)) return cfg;
  const shipped = join(CONFIG_DIR, cfg);
  if (existsSync(shipped) || existsSync(unscaledPath(shipped).path)) return shipped;
  const withExt = cfg.endsWith('.yaml') ? null : join(CONFIG_DIR, `${cfg}.yaml`);
  if (withExt && (existsSync(withExt) || existsSync(unscaledPath(withExt).path))) return withExt;
  throw new Error(`config '${cfg}' not found (not a file, not one of ${shippedConfigs().join(', ')})`);
}

/** Builds a model from a config path or shipped name with every registered module. */
export function loadModel(cfg: string, options: Omit<BuildOptions, 'registry'> = {}): DetectionModel {
  return buildModel(loadYoloConfig(resolveConfigPath(cfg)), { registry, ...options });
}
