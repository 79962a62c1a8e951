import { fileURLToPath } from 'node:url';
import { buildModel, coreModules, Registry, type DetectionModel } from '@plugconv/core';
import { loadYoloConfig } from '@plugconv/core/node';
import { modules } from '../src/index.js';

/** Path of a file in packages/dynamicconv/fixtures. */
export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Path of a config shipped in packages/yolo/configs. */
export const configPath = (name: string) => fileURLToPath(new URL(`../../yolo/configs/${name}`, import.meta.url));

/** Core's blocks and this package's modules. */
export const registry = new Registry(coreModules, modules);

/** Builds a fixture's module from its json meta (module name and constructor args). */
export const byMeta = (meta: Record<string, unknown>) => registry.get(meta.module as string)!.create(...(meta.args as unknown[]));

/** Builds a shipped config at a scale. */
export function shippedModel(cfg: string, scale: string): DetectionModel {
  return buildModel(loadYoloConfig(configPath(cfg)), { registry, scale, ultralytics: '8.2' });
}
