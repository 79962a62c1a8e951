#!/usr/bin/env bash
# Install test: plugconv as a user gets it today, exactly as the root README's "Install" section says:
#   1. `pnpm release` in the repository (build, registry check, publint + are-the-types-wrong, then every public
#      workspace package packed into dist/release/), checked to have packed every public package (found in
#      packages/*, not listed here, so a package `pnpm gen module` adds is in it);
#   2. the README's `npm install .../dist/release/*.tgz @tensorflow/...` line, run as written (only the path to
#      the clone replaced) in a new npm project outside the workspace, with npm and the npm registry;
# then, in that project, on the Node that runs this script (CI: Node 20):
#   (a) every public package is installed from its tarball, one tfjs-core, no "development" export condition;
#   (b) the installed CLI: `npx plugconv info yolov8n.yaml`, `info yolov8.yaml` (n, with ultralytics' warning) and a
#       copy of yolov8.yaml saved as yolov8s.yaml in another folder (s: 11,166,560 parameters);
#   (c) a DSConv2D matches its PyTorch fixture on wasm and cpu;
#   (d) `tsc --noEmit` on a strict TypeScript file against the published types (scripts/install-test/types.ts);
#   (e) @plugconv/core/gradients imported first, last and alone: a training step gets its gradients, in Node and
#       from an esbuild bundle of the same script (tfjs-core's ESM entry, as bundlers resolve it) run in Node;
#   (f) every runnable ts/js example of README.md, packages/*/README.md and docs/guides/*.md, pasted into the
#       project, type-checked and run (scripts/examples.mjs; failures name the file and the block's line).
# Writes dist/release/ (git-ignored) in the workspace, nothing else; the temporary project is removed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HERE="$ROOT/scripts/install-test"
TOOLS=(typescript@5.9.3 @types/node@20 esbuild@0.28.2)   # the user's own tooling for (d), (e) and (f)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/plugconv-install-test.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }
fail() { echo "install-test: $*" >&2; exit 1; }

step "the docs' code blocks: runnable or fragment"
node "$ROOT/scripts/examples.mjs" list | tail -1

step "README's Install section"
# the section's shell lines: `pnpm release`, then the npm install of the tarballs
section="$(awk '/^## Install$/{on=1; next} /^## /{on=0} on' "$ROOT/README.md")"
grep -q '^bash scripts/setup.sh && pnpm release' <<<"$section" || fail "README.md's Install section no longer says 'pnpm release'"
install_line="$(grep -m1 '^npm install .*dist/release/\*\.tgz' <<<"$section")" || fail "README.md's Install section has no 'npm install .../dist/release/*.tgz' line"
published_line="$(grep -m1 '^npm install @plugconv/' <<<"$section")" || fail "README.md's Install section has no 'npm install @plugconv/...' line for the published packages"
echo "$install_line"
# the published install is the same but for the tarballs
[ "$(sed -E 's#[^ ]*dist/release/\*\.tgz#@plugconv/yolo#' <<<"$install_line")" = "$published_line" ] || fail "the Install section's two npm lines differ in more than the tarballs: '$install_line' / '$published_line'"

step "pnpm release (as the README says)"
(cd "$ROOT" && pnpm release)
mapfile -t PUBLIC < <(cd "$ROOT" && node -e '
  const fs = require("fs");
  for (const d of fs.readdirSync("packages").sort()) {
    const f = `packages/${d}/package.json`;
    if (!fs.existsSync(f)) continue;
    const m = JSON.parse(fs.readFileSync(f, "utf8"));
    if (!m.private) console.log(`${m.name}@${m.version}`);
  }')
for p in "${PUBLIC[@]}"; do
  name="${p%@*}"; version="${p##*@}"
  tgz="$ROOT/dist/release/$(sed 's#^@##; s#/#-#' <<<"$name")-$version.tgz"
  [ -f "$tgz" ] || fail "pnpm release did not pack $p (no $tgz)"
done
echo "${#PUBLIC[@]} public packages packed: ${PUBLIC[*]}"

step "the README's npm install, in a new project ($WORK/app)"
mkdir -p "$WORK/app"
cd "$WORK/app"
cat > package.json <<'EOF'
{ "name": "plugconv-install-test", "private": true, "type": "module" }
EOF
# npm gets pnpm's npm_config_* variables when this runs as `pnpm test:install`; it does not know them (warnings)
for v in $(compgen -e | grep '^npm_config_' | grep -v -E '^npm_config_(registry|cache|userconfig|globalconfig)$' || true); do unset "$v"; done
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false npm_config_loglevel=error
# the line as written, with the path to the clone pointed at this repository
eval "$(sed -E "s#[^ ]*dist/release/\\*\\.tgz#'$ROOT'/dist/release/*.tgz#" <<<"$install_line")"
npm install --no-save "${TOOLS[@]}"

step "(a) what npm installed"
node -e '
  const fs = require("fs");
  const want = process.argv.slice(1);
  const have = fs.readdirSync("node_modules/@plugconv").map((p) => JSON.parse(fs.readFileSync(`node_modules/@plugconv/${p}/package.json`, "utf8")));
  for (const m of have) {
    if (JSON.stringify(m.exports).includes("development")) throw new Error(`${m.name}: published exports keep the development condition`);
    console.log(`installed ${m.name}@${m.version}`);
  }
  const missing = want.filter((p) => !have.some((m) => `${m.name}@${m.version}` === p));
  if (missing.length) throw new Error(`not installed from the tarballs: ${missing.join(", ")}`);
' "${PUBLIC[@]}"
if [ "$(find node_modules -path '*/@tensorflow/tfjs-core/package.json' | wc -l)" != 1 ]; then
  find node_modules -path '*/@tensorflow/tfjs-core/package.json' >&2
  fail "more than one @tensorflow/tfjs-core installed"
fi

step "(b) the installed CLI"
expect_line() { # command, expected last line of stdout
  local out
  out="$(eval "$1" 2>"$WORK/stderr")" || { cat "$WORK/stderr" >&2; fail "$1 failed"; }
  [ "$(tail -1 <<<"$out")" = "$2" ] || { echo "$out" >&2; fail "$1: expected '$2'"; }
  echo "$1  ->  $2"
}
expect_line 'npx --no-install plugconv info yolov8n.yaml' 'YOLOv8n summary: 130 layers, 3,157,200 parameters, 3,157,184 gradients, 8.9 GFLOPs'
expect_line 'npx --no-install plugconv info yolov8.yaml' 'YOLOv8n summary: 130 layers, 3,157,200 parameters, 3,157,184 gradients, 8.9 GFLOPs'
grep -qx "WARNING no model scale passed. Assuming scale='n'." "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "info yolov8.yaml: no scale warning"; }
mkdir -p "$WORK/copy"
cp node_modules/@plugconv/yolo/configs/yolov8.yaml "$WORK/copy/yolov8s.yaml"
npx --no-install plugconv info "$WORK/copy/yolov8s.yaml" --json | node -e '
  const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (j.name !== "YOLOv8s" || j.params !== 11166560) throw new Error(`yolov8s.yaml copy: ${j.name}, ${j.params} parameters (expected YOLOv8s, 11166560)`);
  console.log(`a copy of yolov8.yaml saved as yolov8s.yaml: ${j.name}, ${j.params} parameters`);'

step "(c) DSConv2D against its PyTorch fixture"
cp "$ROOT"/packages/dsconv/fixtures/modules/DSConv2D_16_32_k3_b8.{safetensors,json} .
cp "$HERE"/*.mjs "$HERE"/types.ts .
node parity.mjs

step "(d) tsc --noEmit on a strict TypeScript file"
cat > tsconfig.types.json <<'EOF'
{
  "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "lib": ["ES2022", "DOM"],
    "strict": true, "noEmit": true, "skipLibCheck": false, "verbatimModuleSyntax": true },
  "files": ["types.ts"]
}
EOF
./node_modules/.bin/tsc -p tsconfig.types.json
echo "tsc --noEmit: no errors, and every @ts-expect-error is an error"

step "(e) @plugconv/core/gradients imported first, last, alone: Node, then an esbuild bundle"
for order in first last alone; do node "gradients-$order.mjs"; done
for order in first last alone; do
  # `module` before `main`: tfjs-core's ESM dist/index.js, as Vite and webpack take it; Node built-ins stay external
  ./node_modules/.bin/esbuild "gradients-$order.mjs" --bundle --format=esm --platform=node --main-fields=module,main --log-level=warning \
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" --outfile="bundle-$order.mjs"
  grep -q '^// node_modules/@tensorflow/tfjs-core/dist/index.js$' "bundle-$order.mjs" || fail "bundle-$order.mjs does not carry tfjs-core's ESM entry"
  node "bundle-$order.mjs" | sed 's/^/bundled: /'
done

step "(f) every runnable example of the READMEs and guides"
node "$ROOT/scripts/examples.mjs" run "$WORK/app"

step "install test passed"
