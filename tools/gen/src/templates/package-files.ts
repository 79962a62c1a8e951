import type { ScaffoldContext } from './context.js';

/** package.json, in the shape of the other module packages (JSON with 2-space indentation, publishable as is). */
export function packageJson(ctx: ScaffoldContext): string {
  const pkg = {
    name: ctx.packageName,
    version: '0.0.0',
    description: `${ctx.token} for YOLOv8 in TensorFlow.js`,
    license: 'MIT',
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
    keywords: ['yolov8', 'tensorflowjs', 'plugconv'],
    scripts: { build: 'tsc -b', typecheck: 'tsc -b --noEmit' },
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

/** typedoc.json: the package's entry point for the API site (the root typedoc.json lists the package). */
export function typedocJson(): string {
  return '{ "$schema": "https://typedoc.org/schema.json", "entryPoints": ["src/index.ts"] }\n';
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

/** fixtures/README.md: what the parity fixtures in this folder look like. */
export function fixturesReadme(ctx: ScaffoldContext): string {
  return `# Parity fixtures

\`<case>.safetensors\` made by PyTorch from the reference implementation, in PyTorch layout: \`input\` (NCHW),
\`output\` (eval mode) and \`state.<key>\` for every state-dict entry; beside it \`<case>.json\`:
\`{ "module": "${ctx.token}", "args": [c1, c2, ...], "params": n }\` (args as the YAML rule passes them, c1 first).
test/${ctx.name}.test.ts checks every case here on cpu and wasm; \`pnpm plugconv check fixtures/<case>.safetensors
--module ${ctx.token}\` checks one by hand. docs/guides/writing-a-module.md has the script that writes them.
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

/** README.md: what it is, how to build and test it, usage in code and YAML, where its figures go. */
export function readme(ctx: ScaffoldContext): string {
  const { token, name, packageName } = ctx;
  const y = yamlExample(ctx);
  const ctor = ctx.rule === 'repeat' ? `new ${token}(16, 32, 2, true)` : `new ${token}(16, 32, 3, 2)`;
  const out = ctx.rule === 'repeat' ? '[1, 64, 64, 32]' : '[1, 32, 32, 32]';
  return `# ${packageName}

${token} for YOLOv8 in TensorFlow.js. Scaffolded by \`pnpm gen module ${name}\`: the starter in
src/${name}.ts is ${ctx.rule === 'repeat' ? "ultralytics' C2f built on core's C2fBase with its own inner block" : "conv -> BatchNorm2d -> SiLU with ultralytics' Conv arguments"}; replace it
with your module, say here what it is and link its paper. [Writing a module](../../docs/guides/writing-a-module.md)
walks through every step.

## Install, build, test

From the repository root:

\`\`\`sh
pnpm install                                  # links the package into the workspace (pnpm gen module ran it)
pnpm build                                    # every package; this one alone: npx tsc -b packages/${name}
npx vitest run packages/${name}               # Node suite: shapes, errors, gradients, state dict, parity, YAML
npx vitest run --config vitest.browser.config.ts packages/${name}   # GPU suite: webgl, webgpu, wasm in Chromium
\`\`\`

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
pnpm plugconv info my-yolov8-${token}.yaml --scale n     # layers, parameters, gradients, GFLOPs
\`\`\`

## Parity with PyTorch

Put \`<case>.safetensors\` + \`<case>.json\` made by PyTorch in fixtures/ (see fixtures/README.md); the Node suite
checks each on cpu and wasm by DESIGN.md's tolerance |y - ref| <= 1e-4 + 1e-3 |ref|.

## Figures

Record \`pnpm plugconv info <your yaml> --scale n|s|m\` here (params, gradients, GFLOPs at 640) next to
yolov8's (n 3,157,200 / 8.9, s 11,166,560 / 28.8, m 25,902,640 / 79.3).
`;
}
