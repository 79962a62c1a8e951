import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GenError } from './errors.js';
import { addArrayString, addDependency, addReference } from './json-edit.js';
import { pascalCase, registryAlias, scopedName, validatePackageName, validateRule, validateToken } from './names.js';
import { addRegistryEntry } from './registry-source.js';
import { readRepoFile, referenceFromYolo, registeredTokens } from './sync.js';
import type { ScaffoldContext } from './templates/context.js';
import { indexSource, moduleSource, specSource } from './templates/module-source.js';
import { latencyBench } from './templates/bench.js';
import { starterConfig, starterFixture, starterFixtureJson } from './templates/fixtures.js';
import { changeset, packageJson, readme, tsconfigJson } from './templates/package-files.js';
import { browserTest, configName, figuresTest, nodeTest, parityTest, testHelpers } from './templates/tests.js';
import { listPackages, PATHS, readJson } from './workspace.js';

/** Options of `pnpm gen module`. */
export interface ModuleOptions {
  name: string;
  rule?: string;
  token?: string;
}

/** Files to create (text, or bytes for fixtures) and files to rewrite, relative path -> content. Nothing is written until it is applied. */
export interface Plan {
  create: Map<string, string | Uint8Array>;
  update: Map<string, string>;
}

/** Names the starter's files import or declare; the class may not take one of them. */
const TEMPLATE_NAMES = ['Module', 'Conv2d', 'BatchNorm2d', 'Conv', 'ConvNormAct', 'BottleneckBase', 'C2fBase', 'ModuleSpec', 'PKG', 'Registry'];

/** tfjs-core's peer and dev versions, as @plugconv/core declares them (module packages follow core). */
function tfjsVersions(root: string): { peer: string; dev: string } {
  const core = readJson<{ peerDependencies?: Record<string, string>; devDependencies?: Record<string, string> }>(join(root, 'packages/core/package.json'));
  const peer = core.peerDependencies?.['@tensorflow/tfjs-core'];
  const dev = core.devDependencies?.['@tensorflow/tfjs-core'];
  if (!peer || !dev) throw new GenError('packages/core/package.json declares no @tensorflow/tfjs-core peer and dev dependency to copy');
  return { peer, dev };
}

/** Checks everything about the request against the repository; throws a {@link GenError} naming the problem. */
export function resolveContext(root: string, options: ModuleOptions): ScaffoldContext {
  const { name } = options;
  validatePackageName(name);
  const rule = validateRule(options.rule ?? 'conv');
  const token = options.token ?? pascalCase(name);
  validateToken(token);
  const packageName = scopedName(name);
  if (existsSync(join(root, 'packages', name))) {
    throw new GenError(`packages/${name} already exists; pick another name (to register an existing module package, run 'pnpm gen registry')`);
  }
  const same = listPackages(root).find((p) => p.name === packageName);
  if (same) throw new GenError(`${packageName} already exists (${same.dir}); pick another name`);
  const clash = [...registeredTokens(root)].find(([t]) => t.toLowerCase() === token.toLowerCase());
  if (clash) {
    const [t, pkg] = clash;
    const how = options.token ? '' : ` (the PascalCase of '${name}')`;
    throw new GenError(`YAML token '${token}'${how} clashes with '${t}', registered by ${pkg}; choose another with --token <Token>`);
  }
  if (TEMPLATE_NAMES.includes(token)) throw new GenError(`YAML token '${token}' is a name the starter module imports from @plugconv/core; choose another with --token <Token>`);
  if (existsSync(join(root, PATHS.changesets, `add-${name}.md`))) throw new GenError(`${PATHS.changesets}/add-${name}.md already exists; remove it or pick another name`);
  return { name, packageName, token, rule, tfjs: tfjsVersions(root) };
}

/** Every file `pnpm gen module` creates and every edit it makes, computed without writing anything. */
export function planModule(root: string, options: ModuleOptions): { ctx: ScaffoldContext; plan: Plan } {
  const ctx = resolveContext(root, options);
  const dir = `packages/${ctx.name}`;
  const fixture = starterFixture(ctx);
  const core = (rel: string) => {
    const path = join(root, PATHS.coreFixtures, rel);
    if (!existsSync(path)) throw new GenError(`${PATHS.coreFixtures}/${rel} is missing; the starter's fixture and config are made from core's`);
    return readFileSync(path);
  };
  const source = `${PATHS.coreFixtures}/${fixture.core} (ultralytics' ${ctx.rule === 'repeat' ? 'C2f' : 'Conv'}, which the starter computes exactly)`;
  const create = new Map<string, string | Uint8Array>([
    [`${dir}/package.json`, packageJson(ctx)],
    [`${dir}/tsconfig.json`, tsconfigJson()],
    [`${dir}/README.md`, readme(ctx)],
    [`${dir}/src/index.ts`, indexSource(ctx)],
    [`${dir}/src/spec.ts`, specSource(ctx)],
    [`${dir}/src/${ctx.name}.ts`, moduleSource(ctx)],
    [`${dir}/test/helpers.ts`, testHelpers(ctx)],
    [`${dir}/test/${ctx.name}.test.ts`, nodeTest(ctx)],
    [`${dir}/test/parity.test.ts`, parityTest(ctx)],
    [`${dir}/test/figures.test.ts`, figuresTest(ctx)],
    [`${dir}/test/${ctx.name}.browser.test.ts`, browserTest(ctx)],
    [`${dir}/fixtures/modules/${fixture.name}.safetensors`, new Uint8Array(core(`${fixture.core}.safetensors`))],
    [`${dir}/fixtures/modules/${fixture.name}.json`, starterFixtureJson(ctx, core(`${fixture.core}.json`).toString('utf8'), source)],
    [`${dir}/fixtures/models/${configName(ctx)}`, starterConfig(ctx, core('models/yolov8.yaml').toString('utf8'))],
    [`${dir}/bench/latency.bench.mjs`, latencyBench(ctx)],
    [`${PATHS.changesets}/add-${ctx.name}.md`, changeset(ctx)],
  ]);

  const update = new Map<string, string>();
  const edit = (path: string, required: boolean, f: (text: string) => string) => {
    const text = readRepoFile(root, path);
    if (text === undefined) {
      if (required) throw new GenError(`${path} is missing; is this the plugconv repository?`);
      return;
    }
    const next = f(text);
    if (next !== text) update.set(path, next);
  };
  edit(PATHS.registry, true, (t) => addRegistryEntry(t, { packageName: ctx.packageName, alias: registryAlias(ctx.packageName) }, PATHS.registry));
  edit(PATHS.yoloPackageJson, true, (t) => addDependency(t, ctx.packageName, 'workspace:*', 'dependencies', PATHS.yoloPackageJson));
  edit(PATHS.yoloTsconfig, false, (t) => addReference(t, referenceFromYolo(dir), PATHS.yoloTsconfig));
  edit(PATHS.typedoc, false, (t) => addArrayString(t, 'entryPoints', dir, PATHS.typedoc));
  return { ctx, plan: { create, update } };
}

/** Writes a plan: creates the new files (folders as needed) and rewrites the edited ones. */
export function applyPlan(root: string, plan: Plan): void {
  for (const [rel, content] of [...plan.create, ...plan.update]) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}
