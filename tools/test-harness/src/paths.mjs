// Where a package's fixtures are, for tests (through node.ts) and for benchmark scripts (plain Node).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package a file belongs to: the folder above its `test/` or `bench/` (`base` is the file's import.meta.url). */
export function packageRoot(base) {
  return dirname(dirname(fileURLToPath(base)));
}

/** Path of a file in the package's fixtures folder: `fixturePath(import.meta.url, 'models/yolov8-x.yaml')`. */
export function fixturePath(base, name) {
  return join(packageRoot(base), 'fixtures', name);
}

/**
 * Path of a file in @plugconv/core's fixtures (ultralytics' own blocks and models: `models/yolov8.yaml` with the
 * tiny scale t, `models/yolov8-t.safetensors`). Module packages compare with yolov8 through these, not copies.
 */
export function coreFixturePath(name) {
  const core = dirname(createRequire(import.meta.url).resolve('@plugconv/core/package.json'));
  return join(core, 'fixtures', name);
}

/**
 * A YOLO config for a package's benchmarks and tests: its own `fixtures/models/<name>`, or core's (yolov8.yaml,
 * the base every module package compares with) when the package has none of that name.
 */
export function configPath(base, name) {
  const own = fixturePath(base, `models/${name}`);
  if (existsSync(own)) return own;
  const core = coreFixturePath(`models/${name}`);
  if (existsSync(core)) return core;
  throw new Error(`${name}: neither ${own} nor ${core} exists`);
}
