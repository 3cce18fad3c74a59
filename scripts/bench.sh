#!/usr/bin/env bash
# Runs the benchmark suite: installs wrk, nginx and Lighthouse if missing, builds in release mode
# and writes bench/results/latest.md (see bench/bench.mjs). BENCH_QUICK=1 shortens every run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$ROOT/scripts/setup.sh" --bench
cd "$ROOT"
cargo leptos build --release
node bench/bench.mjs
