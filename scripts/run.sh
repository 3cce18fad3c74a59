#!/usr/bin/env bash
# Runs the portal: installs what is missing, builds in release mode, creates and seeds the
# SQLite file (data/twincity.db unless TWINCITY_DB says otherwise) and serves on 127.0.0.1:3000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
cargo leptos build --release
exec "$CARGO_TARGET_DIR/release/twincity" "$@"
