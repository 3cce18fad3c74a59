#!/usr/bin/env bash
# Runs the benchmark suite: installs wrk, nginx and Lighthouse if missing, builds in release mode
# and writes bench/results/latest.md (see bench/bench.mjs). BENCH_QUICK=1 shortens every run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$ROOT/scripts/setup.sh" --bench
cd "$ROOT"
# Release assets are also written brotli- (quality 11) and gzip-compressed at build time; the server
# sends those files as they are instead of compressing the WebAssembly for every first visit.
cargo leptos build --release --precompress --split
node bench/bench.mjs
