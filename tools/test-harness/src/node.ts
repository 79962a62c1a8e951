// Node side of the harness: a package's fixtures found on disk, the parity check of every one of them on cpu and
// wasm, models built from YAML files, and the comparisons the packages' tests share.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, coreModules, Registry, summarize, ultralyticsVersion, type DetectionModel, type FixtureCheck, type ModelSummary, type Module, type ModuleSpec } from '@plugconv/core';
import { checkFixture, loadYoloConfig } from '@plugconv/core/node';
import { describe, expect, it } from 'vitest';
import { classifyFixtures, FIXTURE_FOLDERS, moduleFromMeta, type PackageFixtures } from './fixtures.js';
import { coreFixturePath, fixturePath, packageRoot } from './paths.mjs';

export { configPath, coreFixturePath, fixturePath, packageRoot } from './paths.mjs';
export { classifyFixtures, FIXTURE_FOLDERS, moduleFromMeta, type ModelFixture, type ModuleFixture, type PackageFixtures } from './fixtures.js';

/** The Node backends every parity check runs on. */
export const NODE_BACKENDS = ['cpu', 'wasm'] as const;
/** A Node backend. */
export type NodeBackend = (typeof NODE_BACKENDS)[number];

/** Every fixture json in the package's fixtures/modules and fixtures/models, sorted into modules and models. */
export function discoverFixtures(base: string): PackageFixtures {
  const root = packageRoot(base);
  const entries: [string, Record<string, unknown>][] = [];
  for (const folder of Object.values(FIXTURE_FOLDERS)) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.json')) continue;
      const path = `${folder}/${file}`;
      try {
        entries.push([path, JSON.parse(readFileSync(join(dir, file), 'utf8'))]);
      } catch (e) {
        throw new Error(`${join(dir, file)}: not valid JSON (${(e as Error).message})`);
      }
    }
  }
  return classifyFixtures(entries);
}

/** The names of the package's module fixtures (fixtures/modules/<name>.safetensors), sorted. */
export function moduleFixtureNames(base: string): string[] {
  return discoverFixtures(base).modules.map((m) => m.name);
}

/**
 * Builds the YOLO config at `path` at `scale` with `registry` (warnings off), with the semantics of the
 * ultralytics release given (a fixture's `ultralytics` field, `'8.2'`, `'8.4.104'`); default: the build's own.
 */
export function modelFromConfig(path: string, registry: Registry, scale: string, ultralytics?: string): DetectionModel {
  return buildModel(loadYoloConfig(path), { registry, scale, warn: () => {}, ...(ultralytics === undefined ? {} : { ultralytics: ultralyticsVersion(ultralytics) }) });
}

/** A config's reference figures at one scale: parameters, gradients (trainable elements) and GFLOPs at 640x640. */
export interface ConfigFigures {
  params: number;
  gradients: number;
  gflops: number;
}

/**
 * Summarises `model` at 640x640, disposes it, and checks its figures against `want`: parameters and gradients
 * exactly, GFLOPs within `rtol` of `want.gflops` (default 0.5 percent). Returns the summary for further checks.
 */
export function expectFigures(model: DetectionModel, want: ConfigFigures, rtol = 0.005): ModelSummary {
  try {
    const s = summarize(model, 640);
    expect(s.params).toBe(want.params);
    expect(s.gradients).toBe(want.gradients);
    expect(Math.abs(s.gflops - want.gflops) / want.gflops).toBeLessThan(rtol);
    return s;
  } finally {
    model.dispose();
  }
}

/**
 * No tensor outlives a forward: runs `forward` once (a warm-up), then `times` more, disposing each result, and
 * expects tf.memory().numTensors after them to equal the count after the warm-up.
 */
export function expectNoLeak(forward: () => tf.Tensor, times = 3): void {
  forward().dispose();
  const before = tf.memory().numTensors;
  for (let i = 0; i < times; i++) forward().dispose();
  expect(tf.memory().numTensors).toBe(before);
}

/** What a module package's tests build things with: see {@link packageTestKit}. */
export interface PackageTestKit {
  /** Core's blocks and the package's modules. */
  registry: Registry;
  /** Builds a fixture's module from its json (`module`, `args`). */
  byMeta: (meta: Record<string, unknown>) => Module<tf.Tensor, any>;
  /** Path of a file in the package's fixtures folder. */
  fixturePath: (name: string) => string;
  /** Builds one of the package's configs, fixtures/models/<cfg>, at a scale (and ultralytics semantics, see {@link modelFromConfig}). */
  configModel: (cfg: string, scale: string, ultralytics?: string) => DetectionModel;
}

/** The registry and builders a module package's tests share (`base`: any import.meta.url in its test/). */
export function packageTestKit(base: string, modules: ModuleSpec[]): PackageTestKit {
  const registry = new Registry(coreModules, modules);
  return {
    registry,
    byMeta: moduleFromMeta(registry),
    fixturePath: (name) => fixturePath(base, name),
    configModel: (cfg, scale, ultralytics) => modelFromConfig(fixturePath(base, `models/${cfg}`), registry, scale, ultralytics),
  };
}

/** One module fixture being checked, for {@link ParityOptions.module}. */
export interface ParityCase {
  name: string;
  /** The .safetensors file. */
  path: string;
  backend: NodeBackend;
  /** Builds the fixture's module from its json (for checks with a transform: reparameterize, deploy). */
  make: (meta: Record<string, unknown>) => Module<tf.Tensor, any>;
}

/** What a package adds to {@link describeParity}. */
export interface ParityOptions {
  /** Assertions of its own for each module fixture, after the common ones (parameter count, the tolerance). */
  module?: (r: FixtureCheck, c: ParityCase) => void | Promise<void>;
  /** Whether to check the whole-model fixtures in fixtures/models as well (default true). */
  models?: boolean;
}

/**
 * The parity suite of a package on cpu and wasm: every module fixture in fixtures/modules (built from its json's
 * `module` and `args` through `registry`) and every whole-model fixture in fixtures/models (built from the YAML
 * its json names), each loaded with the PyTorch state and checked against PyTorch's output by the backend's
 * tolerance, with the module's parameter count equal to the fixture's. `base` is the test file's import.meta.url.
 */
export function describeParity(title: string, base: string, registry: Registry, options: ParityOptions = {}): void {
  const { modules, models } = discoverFixtures(base);
  const make = moduleFromMeta(registry);
  describe.each(NODE_BACKENDS)(`${title}: PyTorch parity on %s`, (backend) => {
    for (const { name } of modules) {
      it(`${name} matches the reference`, async () => {
        const path = fixturePath(base, `modules/${name}.safetensors`);
        const r = await checkFixture(path, make, backend);
        expect(r.params).toBe(r.meta.params);
        expect(r.pass).toBe(true);
        await options.module?.(r, { name, path, backend, make });
      });
    }
    if (options.models === false) return;
    for (const m of models) {
      it(`${m.name} (${m.cfg} at scale ${m.scale}) matches end to end`, async () => {
        const r = await checkFixture(fixturePath(base, `models/${m.name}.safetensors`), (meta) => modelFromConfig(fixturePath(base, `models/${m.cfg}`), registry, m.scale, meta.ultralytics as string | undefined), backend);
        expect(r.params).toBe(r.meta.params);
        expect(r.pass).toBe(true);
      });
    }
  });
}

/** Largest |a - b| / (1e-4 + 1e-3 |b|) (the parity tolerance: <= 1 passes) and the largest |a - b|. */
export function worstRatio(a: ArrayLike<number>, b: ArrayLike<number>): { ratio: number; maxAbs: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let ratio = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= Infinity)) return { ratio: Infinity, maxAbs: Infinity };
    maxAbs = Math.max(maxAbs, d);
    ratio = Math.max(ratio, d / (1e-4 + 1e-3 * Math.abs(b[i]!)));
  }
  return { ratio, maxAbs };
}

export { maxAbsDiff } from './tf-reference.js';
