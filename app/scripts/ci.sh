#!/usr/bin/env bash
# The TypeScript side from a fresh clone: install exactly the lockfile, type-check (and check
# the generated IDL module against idl/asymptote.json), lint, build to dist/ with
# declarations, run every test. The LiteSVM end-to-end tests run when the program's .so
# exists (ASYMPTOTE_SO, default ../target/deploy/asymptote.so) and say loudly when skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund
step "typecheck"
npm run --silent typecheck
step "lint (eslint, type-aware)"
npm run --silent lint
step "build"
npm run --silent build
step "test"
so="${ASYMPTOTE_SO:-../target/deploy/asymptote.so}"
if [[ ! -f "$so" ]]; then
  echo "!!! $so is missing: the LiteSVM end-to-end tests will be SKIPPED (build it with scripts/build-sbf)"
fi
npm run --silent test
