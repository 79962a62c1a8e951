import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anatomyProblems, shippedConfigs, treeFromDisk, treeFromPlan, type PackageTree } from '../src/anatomy.js';
import { planModule } from '../src/scaffold.js';
import { modulePackages } from '../src/sync.js';

const repo = realpathSync(fileURLToPath(new URL('../../../', import.meta.url)));
const shippedConfig = shippedConfigs(repo);

/** A package tree with files removed and files added or replaced. */
function changed(tree: PackageTree, edit: { remove?: (path: string) => boolean; set?: Record<string, string> }): PackageTree {
  const set = edit.set ?? {};
  const files = [...new Set([...tree.files.filter((f) => !edit.remove?.(f)), ...Object.keys(set)])].sort();
  return { files, read: (p) => (p in set ? set[p] : files.includes(p) ? tree.read(p) : undefined) };
}

describe('the module-package anatomy (pnpm gen anatomy)', () => {
  const packages = modulePackages(repo);

  it('finds the six module packages', () => {
    expect(packages.map((p) => p.base)).toEqual(['dsconv', 'dwconv', 'dynamicconv', 'mobilenetv3', 'repghost', 'saconv']);
  });

  it.each(packages.map((p) => [p.base, p.dir] as const))('%s has it', (name, dir) => {
    expect(anatomyProblems(treeFromDisk(join(repo, dir)), { name, shippedConfig })).toEqual([]);
  });

  it.each(['conv', 'repeat', 'fixed'])('pnpm gen module writes it (rule %s)', (rule) => {
    const { plan } = planModule(repo, { name: 'anatomy-probe', rule });
    const tree = treeFromPlan(plan.create, 'packages/anatomy-probe/');
    expect(tree.files).toContain('fixtures/modules/AnatomyProbe_' + (rule === 'repeat' ? '32_32_n2_sc' : '16_32_k3_s2') + '.safetensors');
    expect(anatomyProblems(tree, { name: 'anatomy-probe', shippedConfig })).toEqual([]);
  });

  const dsconv = treeFromDisk(join(repo, 'packages/dsconv'));
  const spec = dsconv.read('src/spec.ts')!;
  const readme = dsconv.read('README.md')!;
  const pkg = JSON.parse(dsconv.read('package.json')!) as Record<string, Record<string, string>>;

  it.each<[string, Parameters<typeof changed>[1], RegExp]>([
    ['no parity test', { remove: (f) => f === 'test/parity.test.ts' }, /^test\/parity\.test\.ts is missing/],
    ['no figures test', { remove: (f) => f === 'test/figures.test.ts' }, /^test\/figures\.test\.ts is missing/],
    ['a parity test of its own making', { set: { 'test/parity.test.ts': "import { it } from 'vitest';\nit('passes', () => {});\n" } }, /^test\/parity\.test\.ts: must run describeParity/],
    ['no browser test', { remove: (f) => f === 'test/dsconv.browser.test.ts' }, /^test\/dsconv\.browser\.test\.ts is missing/],
    ['a second browser test', { set: { 'test/gpu.browser.test.ts': '' } }, /^test\/gpu\.browser\.test\.ts: the one browser test is test\/dsconv\.browser\.test\.ts/],
    ['no module fixtures', { remove: (f) => f.startsWith('fixtures/modules/') }, /^fixtures\/modules\/ has no <case>\.safetensors/],
    ['a fixture without its json', { remove: (f) => f === 'fixtures/modules/DSConv2D_16_32_k3_b8.json' }, /^fixtures\/modules\/DSConv2D_16_32_k3_b8\.safetensors has no DSConv2D_16_32_k3_b8\.json/],
    ['fixtures outside modules/ and models/', { set: { 'fixtures/Conv_1.safetensors': '' } }, /^fixtures\/Conv_1\.safetensors: fixtures are fixtures\/modules/],
    ['a fixture config that is not the shipped one', { set: { 'fixtures/models/yolov8-DSConv.yaml': 'nc: 80\n' } }, /^fixtures\/models\/yolov8-DSConv\.yaml differs from packages\/yolo\/configs\/yolov8-DSConv\.yaml/],
    ['a fixture config adding a scale other than t', { set: { 'fixtures/models/yolov8-DSConv.yaml': dsconv.read('fixtures/models/yolov8-DSConv.yaml')!.replace('scales:\n', 'scales:\n  u: [0.33, 0.0625, 1024]\n') } }, /^fixtures\/models\/yolov8-DSConv\.yaml differs from packages\/yolo\/configs\/yolov8-DSConv\.yaml by more than the tiny scale t/],
    ['a fixture config changing a row besides adding t', { set: { 'fixtures/models/yolov8-DSConv.yaml': dsconv.read('fixtures/models/yolov8-DSConv.yaml')!.replace('SPPF, [1024, 5]', 'SPPF, [1024, 3]') } }, /^fixtures\/models\/yolov8-DSConv\.yaml differs from/],
    ['the spec under another name', { set: { 'src/spec.ts': spec.replace('export const modules: ModuleSpec[]', 'export const dsconvModules: ModuleSpec[]') } }, /^src\/spec\.ts: must declare `export const modules: ModuleSpec\[\]`/],
    ['index declaring modules itself', { set: { 'src/index.ts': "/** x\n * @packageDocumentation\n */\nimport { dsconvModules } from './spec.js';\nexport const modules = dsconvModules;\n" } }, /^src\/index\.ts: must re-export/],
    ['a source file not in kebab-case', { set: { 'src/C2fThing.ts': '' } }, /^src\/C2fThing\.ts: sources are src\/<kebab-case>\.ts/],
    ['a Python script in the package', { set: { 'scripts/make_fixtures.py': '' } }, /^scripts\/: not part of a module package/],
    ['a typedoc.json', { set: { 'typedoc.json': '{}' } }, /^typedoc\.json: not part of a module package/],
    ['no benchmark', { remove: (f) => f.startsWith('bench/') }, /^bench\/ has no <topic>\.bench\.mjs/],
    ['a vitest benchmark', { set: { 'bench/strategies.bench.ts': '' } }, /^bench\/strategies\.bench\.ts: benchmarks are bench\/<kebab-case>\.bench\.mjs/],
    ['a test reaching into packages/yolo', { set: { 'test/configs.test.ts': "const p = new URL('../../yolo/configs/x.yaml', import.meta.url);\n" } }, /^test\/configs\.test\.ts: reaches outside the package/],
    ['a README without its Measurements section', { set: { 'README.md': readme.replace('## Measurements\n', '## Latency\n') } }, /^README\.md: sections are \[.*Latency.*\], expected \[Semantics \| Usage in code \| Usage in YAML \| Figures \| Measurements \| Parity \| Development\]/],
    ['a package.json without the bench script', { set: { 'package.json': JSON.stringify({ ...pkg, scripts: { build: 'tsc -b', typecheck: 'tsc -b --noEmit' } }, null, 2) } }, /^package\.json: "scripts" is/],
    ['another tsconfig', { set: { 'tsconfig.json': '{}\n' } }, /^tsconfig\.json: must be the template's/],
  ])('fails on a package with %s, naming the part', (_, edit, message) => {
    const problems = anatomyProblems(changed(dsconv, edit), { name: 'dsconv', shippedConfig });
    expect(problems.some((p) => message.test(p)), problems.join('\n')).toBe(true);
  });
});
