#!/usr/bin/env bash
# Runs the portal: installs what is missing, builds in release mode, creates and seeds the
# SQLite file (data/twincity.db unless TWINCITY_DB says otherwise) and serves on 127.0.0.1:3000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
# Release assets are also written brotli- (quality 11) and gzip-compressed at build time; the server
# sends those files as they are instead of compressing the WebAssembly for every first visit.
cargo leptos build --release --precompress --split
exec "$CARGO_TARGET_DIR/release/twincity" "$@"
