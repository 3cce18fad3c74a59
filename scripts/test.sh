#!/usr/bin/env bash
# Runs every test: formatting, clippy (server and browser builds), the Rust unit and router
# tests on real SQLite files, then the Playwright suites in Chromium against the real server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$ROOT/scripts/setup.sh" --test
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

# The tests build and serve their own site: `scripts/run.sh` serves the release site from
# target/site, and a portal running from it in another terminal must keep its files while the
# tests run (cargo-leptos empties the directory it builds into).
export LEPTOS_SITE_ROOT="$ROOT/target/site-test"
# What the portal's site holds, to check at the end that the tests left it alone.
site_files() {
  if [[ -d "$ROOT/target/site" ]]; then
    find "$ROOT/target/site" -type f -printf '%P %s %T@\n' | sort
  fi
}
portal_site="$(site_files)"

# The shared build cache collects the workspace crates of every clone it has built (each clone's
# path gives them new names; the server's library alone is about 2 GB). When the disk runs low,
# drop those and the incremental data that no build has touched for half an hour; dependencies stay.
free_kb=$(df -Pk "$(dirname "$CARGO_TARGET_DIR")" | awk 'NR == 2 { print $4 }')
if (( free_kb < 20 * 1024 * 1024 )) && [[ -d "$CARGO_TARGET_DIR" ]]; then
  step "Pruning the build cache (less than 20 GB free)"
  while IFS= read -r dir; do
    find "$dir" -mindepth 1 -maxdepth 1 -mmin +30 -exec rm -rf {} +
  done < <(find "$CARGO_TARGET_DIR" -type d -name incremental -prune -print)
  find "$CARGO_TARGET_DIR" -type f -path '*/deps/*' -mmin +30 \( \
    -name 'libapp-*' -o -name 'libserver-*' -o -name 'libfrontend-*' -o -name 'app-*' \
    -o -name 'server-*' -o -name 'http-*' -o -name 'crash-*' -o -name 'load-*' -o -name 'twincity-*' -o -name 'frontend-*' \
    -o -name 'federation-*' \) -delete
fi

step "cargo fmt --check"
cargo fmt --all --check

step "clippy: server build (ssr)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings

step "clippy: browser build (hydrate, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "Rust tests"
cargo test -p app --features ssr
cargo test -p server

step "Federation with bovine (an ActivityPub implementation from PyPI)"
"$BOVINE_VENV/bin/python" end2end/federation/interop.py --bin "$CARGO_TARGET_DIR/debug/twincity"

step "Build the test site (dev profile, into target/site-test)"
cargo leptos build --split

step "Playwright"
cd "$ROOT/end2end"
npx tsc -p .
TWINCITY_BIN="$CARGO_TARGET_DIR/debug/twincity" npx playwright test

step "The portal's own site (target/site) is as it was"
if [[ "$(site_files)" != "$portal_site" ]]; then
  echo "the tests changed target/site, which scripts/run.sh serves" >&2
  exit 1
fi
