#!/usr/bin/env bash
# One-time set-up on a fresh Node 20 machine: the pinned pnpm, then the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  npm install -g "pnpm@$want" --no-fund --no-audit --loglevel=error
fi
pnpm install --frozen-lockfile --reporter=append-only
