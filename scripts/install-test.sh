#!/usr/bin/env bash
# Install test: plugconv as a user gets it. Packs @plugconv/core, @plugconv/dsconv and @plugconv/yolo (with the
# module packages yolo depends on) as `pnpm publish` would, installs the tarballs into a new project outside the
# workspace together with tfjs from the npm registry (npm, not pnpm), and runs there:
#   (a) an ESM script that builds a DSConv2D, loads a PyTorch fixture's state and matches its output (wasm, cpu)
#   (b) `tsc --noEmit` on a TypeScript example (strict, NodeNext, library types checked)
#   (c) the installed CLI: `npx plugconv info yolov8n.yaml` prints YOLOv8n's summary line
# Needs the packages built (`pnpm build`). Writes nothing in the workspace; the temporary folder is removed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TFJS=4.22.0
TYPESCRIPT=5.9.3
PACKAGES=(core dsconv dwconv dynamicconv mobilenetv3 repghost saconv yolo)
FIXTURE="$ROOT/packages/dsconv/fixtures/modules/DSConv2D_16_32_k3_b8"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/plugconv-install-test.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

for p in "${PACKAGES[@]}"; do
  if [ ! -f "$ROOT/packages/$p/dist/index.js" ]; then
    echo "install-test: packages/$p/dist is missing: run pnpm build first" >&2
    exit 2
  fi
done

step "pack ${PACKAGES[*]}"
mkdir -p "$WORK/tarballs" "$WORK/app"
for p in "${PACKAGES[@]}"; do
  (cd "$ROOT/packages/$p" && pnpm pack --pack-destination "$WORK/tarballs" >/dev/null)
done
ls "$WORK/tarballs"

step "npm install the tarballs and tfjs $TFJS from the registry into $WORK/app"
cd "$WORK/app"
cat > package.json <<'EOF'
{ "name": "plugconv-install-test", "private": true, "type": "module" }
EOF
# npm gets pnpm's npm_config_* variables when this runs as `pnpm test:install`; it does not know them (warnings)
for v in $(compgen -e | grep '^npm_config_' | grep -v -E '^npm_config_(registry|cache|userconfig|globalconfig)$' || true); do unset "$v"; done
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
npm install --no-package-lock --loglevel=error \
  "$WORK"/tarballs/*.tgz \
  "@tensorflow/tfjs-core@$TFJS" "@tensorflow/tfjs-backend-wasm@$TFJS" "@tensorflow/tfjs-backend-cpu@$TFJS" \
  "typescript@$TYPESCRIPT"
# every @plugconv package must come from a tarball (none is on the registry), and only one tfjs-core may exist
node -e '
  const fs = require("fs");
  for (const p of fs.readdirSync("node_modules/@plugconv")) {
    const m = JSON.parse(fs.readFileSync(`node_modules/@plugconv/${p}/package.json`, "utf8"));
    if (JSON.stringify(m.exports).includes("development")) throw new Error(`${m.name}: published exports keep the development condition`);
    console.log(`installed ${m.name}@${m.version}`);
  }
'
if [ "$(find node_modules -path '*/@tensorflow/tfjs-core/package.json' | wc -l)" != 1 ]; then
  echo "install-test: more than one @tensorflow/tfjs-core installed" >&2
  find node_modules -path '*/@tensorflow/tfjs-core/package.json' >&2
  exit 1
fi
cp "$FIXTURE.safetensors" "$FIXTURE.json" .

step "(a) ESM: DSConv2D against the PyTorch fixture"
cat > parity.mjs <<'EOF'
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { checkFixture } from '@plugconv/core/node';
import { DSConv2D } from '@plugconv/dsconv';

const where = import.meta.resolve('@plugconv/dsconv');
if (!where.includes('/node_modules/@plugconv/dsconv/dist/')) throw new Error(`@plugconv/dsconv resolved to ${where}`);
let failed = 0;
for (const backend of ['wasm', 'cpu']) {
  const r = await checkFixture('./DSConv2D_16_32_k3_b8.safetensors', (meta) => new DSConv2D(...meta.args), backend);
  const ok = r.pass && r.params === r.meta.params;
  console.log(`${backend}: DSConv2D${JSON.stringify(r.meta.args)} params ${r.params} (fixture ${r.meta.params}), ${r.elements} elements, max abs error ${r.maxAbsError.toExponential(3)} ${ok ? 'PASS' : 'FAIL'}`);
  if (!ok) failed++;
}
process.exit(failed ? 1 : 0);
EOF
node parity.mjs

step "(b) tsc --noEmit on a TypeScript example"
cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM"],
    "strict": true,
    "noEmit": true,
    "skipLibCheck": false,
    "verbatimModuleSyntax": true
  },
  "include": ["example.ts"]
}
EOF
cat > example.ts <<'EOF'
import * as tf from '@tensorflow/tfjs-core';
import { coreModules, Registry, summarize, type ModelSummary, type ModuleSpec, type StateDict } from '@plugconv/core';
import { checkFixture, type FixtureFile } from '@plugconv/core/node';
import { C2f_DSConv, DSConv2D, modules as dsconvModules } from '@plugconv/dsconv';
import { loadModel, registry, shippedConfigs } from '@plugconv/yolo';

const layer = new DSConv2D(16, 32, 3, 1, null, 1, 1, true, 8, 32);
layer.eval();
const y: tf.Tensor = layer.forward(tf.zeros([1, 20, 20, 16]));
const state: StateDict = layer.stateDict();
const block = new C2f_DSConv(32, 32, 1, true);
const specs: ModuleSpec[] = dsconvModules;
const mine = new Registry(coreModules, specs);
const model = loadModel('yolov8n-C2f-DSConv.yaml', { warn: () => {} });
const s: ModelSummary = summarize(model);
const configs: string[] = shippedConfigs();
const known: boolean = registry.has('C2f_DSConv') && mine.has('DSConv2D');
const check: Promise<{ pass: boolean; maxAbsError: number }> = checkFixture('f.safetensors', () => new DSConv2D(16, 32, 3));
const file: FixtureFile | null = null;
// the types are real, not `any`: these must fail to compile
// @ts-expect-error c1 is a number
new DSConv2D('16', 32);
// @ts-expect-error summarize returns a ModelSummary, whose params is a number
const wrong: string = summarize(model).params;
console.log(y.shape, state.size, block.numParams(), s.params, configs.length, known, check, file, wrong);
EOF
./node_modules/.bin/tsc -p tsconfig.json
echo "tsc --noEmit: no errors"

step "(c) the installed CLI: npx plugconv info yolov8n.yaml"
out="$(npx --no-install plugconv info yolov8n.yaml)"
echo "$out"
echo "$out" | grep -q 'YOLOv8n summary: 225 layers, 3157200 parameters, 3157184 gradients, 8.9 GFLOPs' || {
  echo "install-test: plugconv info did not print YOLOv8n's summary line" >&2
  exit 1
}

step "install test passed"
echo "3 passed, 0 failed"
