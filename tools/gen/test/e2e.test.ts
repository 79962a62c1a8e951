import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_CHECKS } from '@plugconv/test-harness/contract';
import { main } from '../src/cli.js';

// End to end in a temporary copy of the repository (sources and build outputs, no node_modules, .git or
// fixtures but core's module fixtures and yolov8.yaml, which the starter is made from; the node_modules folders
// are symlinked): scaffold, check every file touched, run it again, refuse bad input, then build and test the
// scaffolded package there, and run the registry's contract test on its token.
const repo = realpathSync(fileURLToPath(new URL('../../../', import.meta.url)));
const SKIP = /(^|\/)(node_modules|\.git|\.turbo|\.vitest-attachments|coverage)(\/|$)|^docs\/api(\/|$)/;
const CORE_FIXTURES = /^packages\/core\/fixtures(\/(models(\/yolov8\.yaml)?|[^/]+\.(json|safetensors)))?$/;
const skipped = (rel: string) => SKIP.test(rel) || (/(^|\/)fixtures(\/|$)/.test(rel) && !CORE_FIXTURES.test(rel));
let tmp: string;

/** The contract's checks, as the contract test names them. */
const CONTRACT_CHECK_NAMES = CONTRACT_CHECKS.map((c) => c.name);

/** Runs node with `args` in the copy, with the parent vitest's environment left out. */
function run(args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|TINYPOOL|NODE_OPTIONS$)/.test(k)));
  return spawnSync(process.execPath, args, { cwd: tmp, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, encoding: 'utf8', timeout: 150_000 });
}

/** Path -> content hash of every file in the copy (node_modules links left out). */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.name === 'node_modules') continue;
      if (e.isDirectory()) walk(abs);
      else if (e.isFile()) out.set(relative(tmp, abs), createHash('sha1').update(readFileSync(abs)).digest('hex'));
    }
  };
  walk(tmp);
  return out;
}

function diff(before: Map<string, string>, after: Map<string, string>) {
  return {
    created: [...after.keys()].filter((k) => !before.has(k)).sort(),
    changed: [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)).sort(),
    removed: [...before.keys()].filter((k) => !after.has(k)).sort(),
  };
}

/** Runs `pnpm gen ...` in the copy; returns the exit code and what it printed. */
function gen(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { cwd: join(tmp, 'packages'), out: (l) => out.push(l), err: (l) => err.push(l), install: () => false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * The copy's `<folder>/node_modules`: a link to each of the repository's entries, except workspace packages
 * (`@plugconv/*`), which point at the copy's own, so that the copy has one @plugconv/core (two would register
 * the same variable names with one tfjs engine).
 */
function linkModules(folder: string): void {
  const src = join(repo, folder, 'node_modules');
  const dst = join(tmp, folder, 'node_modules');
  mkdirSync(dst);
  for (const e of readdirSync(src)) {
    if (e !== '@plugconv') {
      symlinkSync(join(src, e), join(dst, e));
      continue;
    }
    mkdirSync(join(dst, e));
    for (const name of readdirSync(join(src, e))) symlinkSync(join(tmp, relative(repo, realpathSync(join(src, e, name)))), join(dst, e, name));
  }
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'plugconv-gen-e2e-'));
  cpSync(repo, tmp, { recursive: true, filter: (src) => !skipped(relative(repo, src).split('\\').join('/')) });
  for (const folder of ['.', ...['packages', 'tools'].flatMap((f) => readdirSync(join(repo, f)).map((d) => `${f}/${d}`))]) {
    if (existsSync(join(repo, folder, 'node_modules')) && existsSync(join(tmp, folder))) linkModules(folder);
  }
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const created = [
  '.changeset/add-shuffle-ghost-conv.md',
  'packages/shuffle-ghost-conv/README.md',
  'packages/shuffle-ghost-conv/bench/latency.bench.mjs',
  'packages/shuffle-ghost-conv/fixtures/models/yolov8-ShuffleGhostConv.yaml',
  'packages/shuffle-ghost-conv/fixtures/modules/ShuffleGhostConv_16_32_k3_s2.json',
  'packages/shuffle-ghost-conv/fixtures/modules/ShuffleGhostConv_16_32_k3_s2.safetensors',
  'packages/shuffle-ghost-conv/package.json',
  'packages/shuffle-ghost-conv/src/shuffle-ghost-conv.ts',
  'packages/shuffle-ghost-conv/src/index.ts',
  'packages/shuffle-ghost-conv/src/spec.ts',
  'packages/shuffle-ghost-conv/test/figures.test.ts',
  'packages/shuffle-ghost-conv/test/parity.test.ts',
  'packages/shuffle-ghost-conv/test/shuffle-ghost-conv.browser.test.ts',
  'packages/shuffle-ghost-conv/test/shuffle-ghost-conv.test.ts',
  'packages/shuffle-ghost-conv/test/helpers.ts',
  'packages/shuffle-ghost-conv/tsconfig.json',
];

describe('pnpm gen in a copy of the repository', { timeout: 180_000 }, () => {
  it('the copy starts with an up-to-date registry (pnpm gen registry --check)', () => {
    const r = gen('registry', '--check');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('pnpm gen module shuffle-ghost-conv writes the package and only the expected edits', () => {
    const before = snapshot();
    const r = gen('module', 'shuffle-ghost-conv', '--no-install');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const d = diff(before, snapshot());
    expect(d.created).toEqual([...created].sort());
    const edits = ['packages/yolo/package.json', 'packages/yolo/src/registry.generated.ts', 'packages/yolo/tsconfig.json'];
    if (existsSync(join(tmp, 'typedoc.json'))) edits.push('typedoc.json');
    expect(d.changed).toEqual(edits.sort());
    expect(d.removed).toEqual([]);

    const read = (p: string) => readFileSync(join(tmp, p), 'utf8');
    const pkg = JSON.parse(read('packages/shuffle-ghost-conv/package.json'));
    expect(pkg.name).toBe('@plugconv/shuffle-ghost-conv');
    expect(pkg.dependencies).toEqual({ '@plugconv/core': 'workspace:*' });
    expect(Object.keys(pkg.peerDependencies)).toEqual(['@tensorflow/tfjs-core']);
    expect(read('packages/shuffle-ghost-conv/src/spec.ts')).toContain("name: 'ShuffleGhostConv',\n    rule: 'conv',");
    const registry = read('packages/yolo/src/registry.generated.ts');
    expect(registry).toContain("\nimport { modules as shuffleGhostConvModules } from '@plugconv/shuffle-ghost-conv';\n");
    expect(registry).toContain('\n  shuffleGhostConvModules,\n');
    expect(read('packages/yolo/package.json')).toContain('"@plugconv/shuffle-ghost-conv": "workspace:*"');
    expect(read('packages/yolo/tsconfig.json')).toContain('{ "path": "../shuffle-ghost-conv" }');
    // what the module command wrote is exactly what a rebuild writes, in the anatomy the check asks for
    expect(gen('registry', '--check').code).toBe(0);
    const anatomy = gen('anatomy', 'shuffle-ghost-conv');
    expect(anatomy.err).toBe('');
    expect(anatomy.out).toBe('anatomy ok: shuffle-ghost-conv');
  });

  it('a second run, and a registry rebuild, change nothing', () => {
    const before = snapshot();
    const again = gen('module', 'shuffle-ghost-conv', '--no-install');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/packages\/shuffle-ghost-conv already exists/);
    const rebuild = gen('registry');
    expect(rebuild.code).toBe(0);
    expect(rebuild.out).toMatch(/registry up to date/);
    expect(diff(before, snapshot())).toEqual({ created: [], changed: [], removed: [] });
  });

  it.each([
    [['module', 'GhostShuffle'], /'GhostShuffle' is not a kebab-case package name/],
    [['module', '../x'], /'\.\.\/x' is a path/],
    [['module', 'core'], /'core' is reserved/],
    [['module', 'yolo'], /'yolo' is reserved/],
    [['module', 'gen'], /'gen' is reserved/],
    [['module', 'dsconv'], /packages\/dsconv already exists/],
    [['module', 'test-harness'], /@plugconv\/test-harness already exists \(tools\/test-harness\)/],
    [['module', 'ghost-conv'], /YAML token 'GhostConv' \(the PascalCase of 'ghost-conv'\) clashes with 'GhostConv', registered by @plugconv\/core/],
    [['module', 'my-dsconv', '--token', 'C2f_DSConv'], /YAML token 'C2f_DSConv' clashes with 'C2f_DSConv', registered by @plugconv\/dsconv/],
    [['module', 'shuffle', '--token', 'shuffleghostconv'], /clashes with 'ShuffleGhostConv', registered by @plugconv\/shuffle-ghost-conv/],
    [['module', 'x-conv', '--rule', 'concat'], /--rule must be one of conv, repeat, fixed/],
    [['module', 'x-conv', '--bogus'], /Unknown option '--bogus'/],
    [['anatomy', 'core'], /not a module package: core/],
    [['module'], /takes one name, got none/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('refuses %j with a clear message and writes nothing', (argv, message) => {
    const before = snapshot();
    const r = gen(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(diff(before, snapshot())).toEqual({ created: [], changed: [], removed: [] });
  });

  it('the scaffolded package type-checks and its Node suite passes (unit tests, parity on cpu and wasm, figures)', () => {
    // link it as pnpm install would: its dependencies, pointing at the copy's core
    const nm = join(tmp, 'packages/shuffle-ghost-conv/node_modules');
    mkdirSync(join(nm, '@plugconv'), { recursive: true });
    mkdirSync(join(nm, '@tensorflow'), { recursive: true });
    symlinkSync('../../../core', join(nm, '@plugconv/core'));
    symlinkSync(realpathSync(join(repo, 'packages/core/node_modules/@tensorflow/tfjs-core')), join(nm, '@tensorflow/tfjs-core'));

    const tsc = run([join(repo, 'node_modules/typescript/bin/tsc'), '-b', 'packages/shuffle-ghost-conv']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    expect(existsSync(join(tmp, 'packages/shuffle-ghost-conv/dist/index.d.ts'))).toBe(true);

    const vitest = run([join(repo, 'node_modules/vitest/vitest.mjs'), 'run', 'packages/shuffle-ghost-conv']);
    const output = vitest.stdout + vitest.stderr;
    expect(output).toMatch(/Test Files\s+3 passed \(3\)/);
    expect(output).toMatch(/Tests\s+11 passed \(11\)/);
    expect(vitest.status, output).toBe(0);
  });

  it("the registry's contract test covers the new token, and every check passes on its spec's example", () => {
    // @plugconv/yolo depends on the package (the module command added it), linked as pnpm install would
    symlinkSync('../../../shuffle-ghost-conv', join(tmp, 'packages/yolo/node_modules/@plugconv/shuffle-ghost-conv'));
    // packages/yolo/test/contract.test.ts of the copy, over the copy's registry, limited to the new token's cases
    // and the test that every registered token declares examples
    const vitest = run([join(repo, 'node_modules/vitest/vitest.mjs'), 'run', 'packages/yolo/test/contract.test.ts', '--reporter=verbose', '-t', 'covers every registered token|ShuffleGhostConv #']);
    const output = vitest.stdout + vitest.stderr;
    expect(output, output).toMatch(/covers every registered token \(\d+ tokens, \d+ examples\)/);
    for (const check of CONTRACT_CHECK_NAMES) expect(output, output).toMatch(new RegExp(`✓ .*ShuffleGhostConv #1 > ${check}`));
    // the coverage test and one example's checks; the other tokens' cases skipped
    expect(output).toMatch(new RegExp(`Tests\\s+${1 + CONTRACT_CHECK_NAMES.length} passed \\| \\d+ skipped`));
    expect(vitest.status, output).toBe(0);
  });
});
