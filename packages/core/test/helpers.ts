import { fileURLToPath } from 'node:url';
import { coreModules, Registry, buildModel, parseYoloConfig, type DetectionModel } from '../src/index.js';
import { loadYoloConfig } from '../src/node.js';

/** Path of a file in packages/core/fixtures. */
export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Core's own blocks only. */
export const coreRegistry = new Registry(coreModules);

/** yolov8.yaml (as the fixtures define it, with the tiny scale t), with the semantics of its fixtures (8.2). */
export function yolov8(scale = 't'): DetectionModel {
  return buildModel(loadYoloConfig(fixturePath('models/yolov8.yaml')), { registry: coreRegistry, scale, ultralytics: '8.2' });
}

/** Builds a model from YAML text with core's registry. */
export function fromYaml(text: string, scale?: string): DetectionModel {
  return buildModel(parseYoloConfig(text, 'test.yaml'), { registry: coreRegistry, scale, warn: () => {} });
}
