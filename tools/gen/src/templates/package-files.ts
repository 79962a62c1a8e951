import type { ScaffoldContext } from './context.js';
import { starterFixture } from './fixtures.js';
import { configName } from './tests.js';

/**
 * The fields every module package's package.json has with exactly these values (the anatomy check compares them):
 * ESM, the "development" condition the workspace resolves sources through, what is published, and the scripts.
 */
export const PACKAGE_SHAPE = {
  type: 'module',
  sideEffects: false,
  main: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': { development: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
    './package.json': './package.json',
  },
  files: ['dist', 'src', 'README.md', 'CHANGELOG.md'],
  // published manifests leave out the workspace's "development" condition (scripts/check-packages.mjs checks it)
  publishConfig: {
    access: 'public',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
  },
  scripts: {
    build: 'tsc -b',
    typecheck: 'tsc -b --noEmit',
    // every bench/<topic>.bench.mjs, against the built dist
    bench: 'tsc -b && for f in bench/*.bench.mjs; do node "$f" || exit 1; done',
  },
} as const;

/** The top-level keys of a module package's package.json, in order. */
export const PACKAGE_KEYS = ['name', 'version', 'description', 'license', 'type', 'sideEffects', 'main', 'types', 'exports', 'files', 'publishConfig', 'keywords', 'scripts', 'dependencies', 'peerDependencies', 'devDependencies'] as const;

/** package.json, in the shape of the other module packages (JSON with 2-space indentation, publishable as is). */
export function packageJson(ctx: ScaffoldContext): string {
  const { type, sideEffects, main, types, exports, files, publishConfig, scripts } = PACKAGE_SHAPE;
  const pkg = {
    name: ctx.packageName,
    version: '0.0.0',
    description: `${ctx.token} for YOLOv8 in TensorFlow.js`,
    license: 'MIT',
    type,
    sideEffects,
    main,
    types,
    exports,
    files,
    publishConfig,
    keywords: ['yolov8', 'tensorflowjs', 'plugconv'],
    scripts,
    dependencies: { '@plugconv/core': 'workspace:*' },
    peerDependencies: { '@tensorflow/tfjs-core': ctx.tfjs.peer },
    devDependencies: { '@tensorflow/tfjs-core': ctx.tfjs.dev },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** tsconfig.json: a composite project referencing core, as every module package has. */
export function tsconfigJson(): string {
  return `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"],
  "references": [{ "path": "../core" }]
}
`;
}

/** .changeset/add-<name>.md: a minor release of the new package and of @plugconv/yolo, which registers it. */
export function changeset(ctx: ScaffoldContext): string {
  return `---
"${ctx.packageName}": minor
"@plugconv/yolo": minor
---
Adds ${ctx.packageName} with the ${ctx.token} module (YAML token \`${ctx.token}\`, channel rule \`${ctx.rule}\`) and registers it in @plugconv/yolo, so \`plugconv modules\` lists it and YAML configs can use it.
`;
}

/** The rule's YAML example and how args map (for the README). */
function yamlExample(ctx: ScaffoldContext): { row: string; note: string } {
  switch (ctx.rule) {
    case 'conv':
      return {
        row: `  - [-1, 1, ${ctx.token}, [128, 3, 2]]   # in place of [-1, 1, Conv, [128, 3, 2]]`,
        note: 'rule `conv`: c1 is the input channels, c2 = args[0] scaled by the model width, then the other args: `' + ctx.token + '(c1, c2, k, s, p, g, d, act)`',
      };
    case 'fixed':
      return {
        row: `  - [-1, 1, ${ctx.token}, [32, 3, 2]]    # c2 = 32 at every scale`,
        note: 'rule `fixed`: c1 is the input channels, c2 = args[0] as written (not scaled by width), then the other args: `' + ctx.token + '(c1, c2, k, s, p, g, d, act)`',
      };
    case 'repeat':
      return {
        row: `  - [-1, 3, ${ctx.token}, [128, True]]   # in place of [-1, 3, C2f, [128, True]]`,
        note: 'rule `repeat`: as `conv`, and the row\'s repeat count (scaled by depth) becomes n: `' + ctx.token + '(c1, c2, n, shortcut, g, e)`',
      };
  }
}

/** The `##` sections of every module package's README, in order (the anatomy check compares them). */
export const README_SECTIONS = ['Semantics', 'Usage in code', 'Usage in YAML', 'Figures', 'Measurements', 'Parity', 'Development'] as const;

/** README.md: the sections every module package's README has, filled in for the starter. */
export function readme(ctx: ScaffoldContext): string {
  const { token, name, packageName } = ctx;
  const y = yamlExample(ctx);
  const repeat = ctx.rule === 'repeat';
  const ctor = repeat ? `new ${token}(16, 32, 2, true)` : `new ${token}(16, 32, 3, 2)`;
  const out = repeat ? '[1, 64, 64, 32]' : '[1, 32, 32, 32]';
  const base = repeat ? 'C2f' : 'Conv';
  const fixture = starterFixture(ctx);
  return `# ${packageName}

${token} for YOLOv8 in TensorFlow.js. Scaffolded by \`pnpm gen module ${name}\`: say here what it is and link its
paper. [Writing a module](../../docs/guides/writing-a-module.md) walks through every step.

## Semantics

The starter in src/${name}.ts is ${repeat ? "ultralytics' C2f built on core's C2fBase with its own inner block" : "conv -> BatchNorm2d -> SiLU with ultralytics' Conv arguments"}:
it computes exactly what ultralytics' ${base} computes, with its state-dict keys. Replace it with your module and
describe here what it computes in PyTorch's terms (tensors are NHWC inside, state dicts in PyTorch layout with
the reference implementation's key names) and where it differs from the reference code, and why.

## Usage in code

\`\`\`ts
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@plugconv/core';
import { ${token} } from '${packageName}';

await useBackend('wasm');
const m = ${ctor};
m.eval();
const y = m.forward(tf.zeros([1, 64, 64, 16])); // NHWC in and out: ${out}
\`\`\`

## Usage in YAML

\`@plugconv/yolo\` registers the token \`${token}\` (${y.note}):

\`\`\`yaml
backbone:
  - [-1, 1, Conv, [64, 3, 2]]
${y.row}
\`\`\`

\`\`\`sh
pnpm plugconv modules | grep ${token}
pnpm plugconv info packages/${name}/fixtures/models/${configName(ctx)} --scale n   # layers, parameters, gradients, GFLOPs
\`\`\`

## Figures

\`summarize\` (\`plugconv info\`) at 640x640 of fixtures/models/${configName(ctx)}, pinned by test/figures.test.ts.
The starter computes what ${base} does, so the config has yolov8n's figures: 3,157,200 parameters, 3,157,184
gradients, 8.86 GFLOPs. Record your module's at n, s and m here.

## Measurements

\`pnpm --filter ${packageName} bench\` runs bench/*.bench.mjs against the build (latency.bench.mjs: ${token} against
the ${base} it replaces). Put their tables here with the machine, backend and Node version they ran on.

## Parity

fixtures/modules/<case>.safetensors (\`input\`, \`output\`, \`state.<key>\` in PyTorch layout) with <case>.json
(\`module\`, \`args\` with c1 first, \`params\`), and fixtures/models/<cfg>-<scale>.safetensors for whole models:
test/parity.test.ts checks every one on cpu and wasm, test/${name}.browser.test.ts on webgl, webgpu and browser
wasm, each element within |y - ref| <= 1e-4 + 1e-3 |ref|. The starter's fixture, ${fixture.name}, is core's
${fixture.core} (made by ultralytics' ${base}); replace it with fixtures of your module made by
PyTorch (reference/README.md says how).

## Development

From the repository root:

\`\`\`sh
pnpm build                                        # every package; this one alone: npx tsc -b packages/${name}
npx vitest run packages/${name}                   # Node suite: unit tests, parity on cpu and wasm, figures
npx vitest run --config vitest.browser.config.ts packages/${name}   # GPU suite in headless Chromium
npx vitest run packages/yolo/test/contract.test.ts -t '${token} #'   # the module contract on the spec's examples
pnpm --filter ${packageName} bench           # bench/*.bench.mjs
pnpm check:anatomy                                # the files every module package has
\`\`\`
`;
}
