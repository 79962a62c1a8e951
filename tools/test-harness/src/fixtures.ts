// The fixtures folder every module package has, read the same way in Node and in the browser:
//   fixtures/modules/<case>.safetensors + <case>.json   one module: `input`, `output`, `state.<key>` (PyTorch
//                                                        layout); json { module, args (c1 first), params, ... }
//   fixtures/models/<cfg>.yaml                           a config the tests build (ultralytics' scales + tiny t)
//   fixtures/models/<cfg>-<scale>.safetensors + .json    a whole model; json { cfg, scale, params, ... }
// The names are never listed in a test: the tests take whatever the folder holds.
import { createModule, ultralyticsVersion, type Module, type Registry } from '@plugconv/core';
import type * as tf from '@tensorflow/tfjs-core';

/** The folders of a package's fixtures, relative to the package root. */
export const FIXTURE_FOLDERS = { modules: 'fixtures/modules', models: 'fixtures/models' } as const;

/** A module fixture: `fixtures/modules/<name>.safetensors` and its json. */
export interface ModuleFixture {
  name: string;
  meta: Record<string, unknown>;
}

/** A whole-model fixture: `fixtures/models/<name>.safetensors`, built from `fixtures/models/<cfg>` at `scale`. */
export interface ModelFixture {
  name: string;
  cfg: string;
  scale: string;
  meta: Record<string, unknown>;
}

/** What a package's fixtures folder holds. */
export interface PackageFixtures {
  modules: ModuleFixture[];
  models: ModelFixture[];
}

/**
 * Sorts fixture json files (path relative to the package root, or with any prefix up to `fixtures/`, and the
 * parsed json) into module and model fixtures, by name. A model fixture's json must name its `cfg` and `scale`.
 */
export function classifyFixtures(entries: Iterable<[string, Record<string, unknown>]>): PackageFixtures {
  const modules: ModuleFixture[] = [];
  const models: ModelFixture[] = [];
  for (const [path, meta] of entries) {
    const m = /(?:^|\/)fixtures\/(modules|models)\/([^/]+)\.json$/.exec(path);
    if (!m) continue;
    const [, folder, name] = m as unknown as [string, 'modules' | 'models', string];
    if (folder === 'modules') {
      modules.push({ name, meta });
    } else {
      if (typeof meta.cfg !== 'string' || typeof meta.scale !== 'string') throw new Error(`${path}: a model fixture's json needs "cfg" (a YAML in fixtures/models) and "scale"`);
      models.push({ name, cfg: meta.cfg, scale: meta.scale, meta });
    }
  }
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { modules: modules.sort(byName), models: models.sort(byName) };
}

/** Builds a fixture's module from its json (`module`, `args`) through `registry`; errors name the token. */
export function moduleFromMeta(registry: Registry): (meta: Record<string, unknown>) => Module<tf.Tensor, any> {
  return (meta) => {
    const spec = registry.get(meta.module as string);
    if (!spec) throw new Error(`fixture module '${String(meta.module)}' is not registered`);
    // built as a YAML row would be, with the semantics of the ultralytics release that made the fixture
    const ultralytics = meta.ultralytics === undefined ? undefined : ultralyticsVersion(meta.ultralytics);
    return createModule(spec, (meta.args as unknown[]) ?? [], { ultralytics });
  };
}
