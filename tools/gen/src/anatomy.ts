import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Node } from 'ts-morph';
import { parseSource } from './source-scan.js';
import { PACKAGE_KEYS, PACKAGE_SHAPE, README_SECTIONS, tsconfigJson } from './templates/package-files.js';
import { PATHS } from './workspace.js';

// The anatomy of a module package: the files and shapes every packages/<name> that registers modules has, as
// `pnpm gen module` writes them. `pnpm gen anatomy` (`pnpm check:anatomy`, run by CI) lists every difference.
//
//   package.json        PACKAGE_KEYS in order; PACKAGE_SHAPE's fields as they are (exports with the "development"
//                       condition, files, publishConfig, scripts build/typecheck/bench); @plugconv/core as a
//                       workspace dependency, @tensorflow/tfjs-core as its only peer
//   tsconfig.json       the template's, as it is
//   README.md           `# @plugconv/<name>`, an introduction, then the `##` sections README_SECTIONS in order
//   src/spec.ts         `export const modules: ModuleSpec[]` (the package's YAML tokens)
//   src/index.ts        a @packageDocumentation comment and `export { modules } from './spec.js'`
//   src/<concept>.ts    flat, kebab-case, one concept a file
//   test/parity.test.ts           describeParity (@plugconv/test-harness/node): every fixture on cpu and wasm
//   test/figures.test.ts          params, gradients and GFLOPs of the package's configs
//   test/<name>.browser.test.ts   describeBrowserParity over import.meta.glob of the fixtures folder (the only
//                                 browser test); other test/<kebab>.test.ts and helpers allowed
//   fixtures/modules/<case>.safetensors + <case>.json   at least one; json with module, args, params
//   fixtures/models/<cfg>.yaml    the configs the tests build (equal to packages/yolo/configs/<cfg>, comments
//                                 aside, where that exists, but for one addition: the tiny fixture scale
//                                 `t: [...]` under scales, which shipped configs do not list), with
//                                 <cfg>-<scale>.safetensors + .json fixtures
//   fixtures/figures.json         optional: reference figures
//   bench/<topic>.bench.mjs       at least one, timed with @plugconv/test-harness/timing
// Nothing else at the top (no scripts/, no Python, no typedoc.json); tests and benchmarks never reach outside
// the package with '../../' (core's fixtures come through the harness).

/** What the check reads: a package's files (paths relative to it, '/'-separated), on disk or planned. */
export interface PackageTree {
  files: string[];
  read(path: string): string | undefined;
}

/** What the check needs from the rest of the repository. */
export interface AnatomyContext {
  /** The package folder's name (`dsconv`). */
  name: string;
  /** The text of packages/yolo/configs/<cfg>, if the distribution ships a config of that name. */
  shippedConfig(cfg: string): string | undefined;
}

/** Entries allowed at a module package's top level (files, and folders with a trailing /). */
export const TOP_LEVEL = ['package.json', 'tsconfig.json', 'README.md', 'CHANGELOG.md', 'src/', 'test/', 'fixtures/', 'bench/'] as const;

/** Folders and files a build or an install leaves in a package, never part of its anatomy. */
const IGNORED = /^(node_modules|dist|\.turbo)\/|\.tsbuildinfo$/;

const KEBAB = '[a-z0-9]+(?:-[a-z0-9]+)*';
const GLOB = "import.meta.glob('../fixtures/{modules,models}/*.json', { eager: true, import: 'default' })";

/** A package folder on disk as a {@link PackageTree} (build outputs and node_modules left out). */
export function treeFromDisk(dir: string): PackageTree {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (IGNORED.test(e.isDirectory() ? `${path}/` : path)) continue;
      if (e.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('');
  return { files: files.sort(), read: (p) => (existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'utf8') : undefined) };
}

/** Files planned under `prefix` (`packages/<name>/`) as a {@link PackageTree}. */
export function treeFromPlan(files: ReadonlyMap<string, string | Uint8Array>, prefix: string): PackageTree {
  const own = new Map([...files].filter(([p]) => p.startsWith(prefix)).map(([p, c]) => [p.slice(prefix.length), c] as const));
  return {
    files: [...own.keys()].sort(),
    read: (p) => {
      const c = own.get(p);
      return c === undefined ? undefined : typeof c === 'string' ? c : Buffer.from(c).toString('utf8');
    },
  };
}

/** A YAML text without comments, trailing spaces and blank lines, to compare configs. */
function yamlBody(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').replace(/^#.*$/, '').trimEnd())
    .filter((l) => l)
    .join('\n');
}

/**
 * A fixture config's body as the shipped config it copies should read: without the one line a fixture may add,
 * the tiny scale `t: [...]` (fixtures are made at t so they stay small; shipped configs list ultralytics' scales).
 */
function withoutTinyScale(body: string): string {
  const lines = body.split('\n');
  const scales = lines.indexOf('scales:');
  const t = lines.findIndex((l, i) => i > scales && scales >= 0 && /^\s+t:\s*\[[^\]]*\]$/.test(l));
  return t < 0 ? body : [...lines.slice(0, t), ...lines.slice(t + 1)].join('\n');
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function checkPackageJson(tree: PackageTree, ctx: AnatomyContext, out: string[]): void {
  const text = tree.read('package.json');
  if (text === undefined) return void out.push('package.json is missing');
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text);
  } catch (e) {
    return void out.push(`package.json: not valid JSON (${(e as Error).message})`);
  }
  if (pkg.name !== `@plugconv/${ctx.name}`) out.push(`package.json: name is ${JSON.stringify(pkg.name)}, expected "@plugconv/${ctx.name}"`);
  if (!same(Object.keys(pkg), PACKAGE_KEYS)) out.push(`package.json: keys are [${Object.keys(pkg).join(', ')}], expected [${PACKAGE_KEYS.join(', ')}] in that order`);
  for (const [key, want] of Object.entries(PACKAGE_SHAPE)) {
    if (!same(pkg[key], want)) out.push(`package.json: "${key}" is ${JSON.stringify(pkg[key])}, expected ${JSON.stringify(want)}`);
  }
  const deps = (pkg.dependencies ?? {}) as Record<string, string>;
  if (deps['@plugconv/core'] !== 'workspace:*') out.push('package.json: dependencies must have "@plugconv/core": "workspace:*"');
  const peers = Object.keys((pkg.peerDependencies ?? {}) as object);
  if (!same(peers, ['@tensorflow/tfjs-core'])) out.push(`package.json: peerDependencies are [${peers.join(', ')}], expected [@tensorflow/tfjs-core]`);
}

function checkSources(tree: PackageTree, out: string[]): void {
  const src = tree.files.filter((f) => f.startsWith('src/'));
  for (const f of src) {
    if (!new RegExp(`^src/${KEBAB}\\.ts$`).test(f)) out.push(`${f}: sources are src/<kebab-case>.ts, one concept a file, no subfolders`);
  }
  const spec = tree.read('src/spec.ts');
  if (spec === undefined) {
    out.push('src/spec.ts is missing (it declares `export const modules: ModuleSpec[]`)');
  } else {
    const sf = parseSource('spec.ts', spec);
    const exported = sf.getVariableStatements().filter((s) => s.isExported()).flatMap((s) => s.getDeclarations());
    const modules = exported.find((d) => d.getName() === 'modules');
    if (!modules || modules.getTypeNode()?.getText() !== 'ModuleSpec[]') out.push('src/spec.ts: must declare `export const modules: ModuleSpec[]`');
    for (const d of exported) {
      if (d.getName() !== 'modules' && d.getTypeNode()?.getText() === 'ModuleSpec[]') out.push(`src/spec.ts: exports '${d.getName()}' as well; the package's specs are \`modules\` alone`);
    }
  }
  const index = tree.read('src/index.ts');
  if (index === undefined) {
    out.push('src/index.ts is missing');
  } else {
    const sf = parseSource('index.ts', index);
    const reexport = sf.getExportDeclarations().some((d) => d.getModuleSpecifierValue() === './spec.js' && d.getNamedExports().some((n) => n.getName() === 'modules' && !n.getAliasNode()));
    if (!reexport) out.push("src/index.ts: must re-export `export { modules } from './spec.js'`");
    const declares = sf.getStatements().some((s) => Node.isVariableStatement(s) && s.getDeclarations().some((d) => d.getName() === 'modules'));
    if (declares) out.push('src/index.ts: declares `modules` itself; it re-exports the one in src/spec.ts');
    if (!index.includes('@packageDocumentation')) out.push('src/index.ts: needs a @packageDocumentation comment (the API site shows it)');
  }
}

function checkTests(tree: PackageTree, ctx: AnatomyContext, out: string[]): void {
  const tests = tree.files.filter((f) => f.startsWith('test/'));
  const parity = tree.read('test/parity.test.ts');
  if (parity === undefined) out.push('test/parity.test.ts is missing (describeParity: every fixture on cpu and wasm)');
  else if (!/\bdescribeParity\(/.test(parity) || !parity.includes("'@plugconv/test-harness/node'")) out.push("test/parity.test.ts: must run describeParity from '@plugconv/test-harness/node'");
  if (tree.read('test/figures.test.ts') === undefined) out.push("test/figures.test.ts is missing (params, gradients and GFLOPs of the package's configs)");
  const browserName = `test/${ctx.name}.browser.test.ts`;
  for (const f of tests.filter((t) => t.endsWith('.browser.test.ts') && t !== browserName)) out.push(`${f}: the one browser test is ${browserName}`);
  const browser = tree.read(browserName);
  if (browser === undefined) out.push(`${browserName} is missing (describeBrowserParity over the fixtures folder)`);
  else if (!/\bdescribeBrowserParity\(/.test(browser) || !browser.includes(GLOB)) out.push(`${browserName}: must run describeBrowserParity from '@plugconv/test-harness/browser' over ${GLOB}`);
  for (const f of tests) {
    if (!new RegExp(`^test/${KEBAB}(\\.browser)?(\\.test)?\\.ts$`).test(f)) out.push(`${f}: test files are test/<kebab-case>.test.ts (helpers test/<kebab-case>.ts)`);
  }
}

function checkFixtures(tree: PackageTree, ctx: AnatomyContext, out: string[]): void {
  const fixtures = tree.files.filter((f) => f.startsWith('fixtures/'));
  for (const f of fixtures) {
    if (!/^fixtures\/(modules\/[^/]+|models\/[^/]+|figures\.json)$/.test(f)) out.push(`${f}: fixtures are fixtures/modules/<case>.*, fixtures/models/<cfg>.* and fixtures/figures.json`);
  }
  const pairs = (folder: string) => {
    const names = fixtures.filter((f) => f.startsWith(`fixtures/${folder}/`)).map((f) => f.slice(`fixtures/${folder}/`.length));
    const tensors = names.filter((n) => n.endsWith('.safetensors')).map((n) => n.slice(0, -'.safetensors'.length));
    for (const t of tensors) if (!names.includes(`${t}.json`)) out.push(`fixtures/${folder}/${t}.safetensors has no ${t}.json`);
    return { names, tensors };
  };
  const modules = pairs('modules');
  if (!modules.tensors.length) out.push('fixtures/modules/ has no <case>.safetensors + <case>.json (PyTorch references the parity suites check)');
  for (const n of modules.names) {
    const m = /^(.+)\.(safetensors|json)$/.exec(n);
    if (!m) out.push(`fixtures/modules/${n}: only <case>.safetensors and <case>.json belong here`);
    else if (m[2] === 'json') {
      if (!modules.tensors.includes(m[1]!)) out.push(`fixtures/modules/${n} has no ${m[1]}.safetensors`);
      const meta = parseJson(tree.read(`fixtures/modules/${n}`));
      if (!meta || typeof meta.module !== 'string' || !Array.isArray(meta.args) || typeof meta.params !== 'number') out.push(`fixtures/modules/${n}: needs "module" (the YAML token), "args" (c1 first) and "params"`);
    }
  }
  const models = pairs('models');
  for (const n of models.names) {
    const m = /^(.+)\.(safetensors|json|yaml)$/.exec(n);
    if (!m) {
      out.push(`fixtures/models/${n}: only <cfg>.yaml and <cfg>-<scale>.safetensors + .json belong here`);
    } else if (m[2] === 'yaml') {
      const shipped = ctx.shippedConfig(n);
      if (shipped !== undefined && yamlBody(shipped) !== withoutTinyScale(yamlBody(tree.read(`fixtures/models/${n}`) ?? ''))) {
        out.push(`fixtures/models/${n} differs from packages/yolo/configs/${n} by more than the tiny scale t (copy it again, then add t under scales)`);
      }
    } else if (m[2] === 'json') {
      const meta = parseJson(tree.read(`fixtures/models/${n}`));
      if (!meta || typeof meta.cfg !== 'string' || typeof meta.scale !== 'string') out.push(`fixtures/models/${n}: needs "cfg" (a YAML here) and "scale"`);
      else if (!models.names.includes(meta.cfg)) out.push(`fixtures/models/${n}: its cfg ${meta.cfg} is not in fixtures/models`);
    }
  }
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

function checkBench(tree: PackageTree, out: string[]): void {
  const bench = tree.files.filter((f) => f.startsWith('bench/'));
  if (!bench.length) out.push('bench/ has no <topic>.bench.mjs (the package\'s "bench" script runs them)');
  for (const f of bench) {
    if (!new RegExp(`^bench/${KEBAB}\\.bench\\.mjs$`).test(f)) out.push(`${f}: benchmarks are bench/<kebab-case>.bench.mjs`);
    else if (!tree.read(f)?.includes("'@plugconv/test-harness/timing'")) out.push(`${f}: must time with '@plugconv/test-harness/timing'`);
  }
}

function checkReadme(tree: PackageTree, ctx: AnatomyContext, out: string[]): void {
  const text = tree.read('README.md');
  if (text === undefined) return void out.push('README.md is missing');
  if (!text.startsWith(`# @plugconv/${ctx.name}\n`)) out.push(`README.md: must start with '# @plugconv/${ctx.name}'`);
  let fenced = false;
  const sections: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    else if (!fenced && line.startsWith('## ')) sections.push(line.slice(3).trim());
  }
  if (!same(sections, README_SECTIONS)) out.push(`README.md: sections are [${sections.join(' | ')}], expected [${README_SECTIONS.join(' | ')}] in that order`);
}

/** Every way a module package differs from the anatomy (empty when it has it), each naming the file. */
export function anatomyProblems(tree: PackageTree, ctx: AnatomyContext): string[] {
  const out: string[] = [];
  const top = new Set(tree.files.map((f) => (f.includes('/') ? `${f.slice(0, f.indexOf('/'))}/` : f)));
  for (const t of top) if (!(TOP_LEVEL as readonly string[]).includes(t)) out.push(`${t}: not part of a module package (allowed at the top: ${TOP_LEVEL.join(' ')})`);
  for (const f of tree.files) if (f.endsWith('.py')) out.push(`${f}: Python belongs in reference/ at the repository root`);
  checkPackageJson(tree, ctx, out);
  if (tree.read('tsconfig.json') !== tsconfigJson()) out.push("tsconfig.json: must be the template's (composite, rootDir src, outDir dist, references core)");
  checkSources(tree, out);
  checkTests(tree, ctx, out);
  checkFixtures(tree, ctx, out);
  checkBench(tree, out);
  checkReadme(tree, ctx, out);
  for (const f of tree.files.filter((f) => /^(test|bench)\//.test(f))) {
    if (/['"`]\.\.\/\.\.\//.test(tree.read(f) ?? '')) out.push(`${f}: reaches outside the package ('../../'); use its fixtures, or core's through @plugconv/test-harness`);
  }
  return out;
}

/** The distribution's configs (packages/yolo/configs) as the check compares fixture configs with them. */
export function shippedConfigs(root: string): (cfg: string) => string | undefined {
  return (cfg) => {
    const p = join(root, PATHS.yoloConfigs, cfg);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  };
}
