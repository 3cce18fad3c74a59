# Shared settings of the twincity scripts; sourced, not run.
# Cargo's build cache lives outside the clone so that fresh clones (and CI) reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/twincity-target}"
export PATH="$HOME/.cargo/bin:$PATH"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# Release builds run wasm-opt: binaryen 132 from npm (tools/), never Debian's 108.
export PATH="$ROOT/tools/node_modules/.bin:$PATH"
# bovine (PyPI), the independent ActivityPub implementation the federation tests talk to, lives
# in a virtual environment beside the build cache.
export BOVINE_VENV="${BOVINE_VENV:-/var/tmp/twincity-bovine}"
# Where cargo-leptos writes the site (wasm, JS, CSS, public files).
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$ROOT/target/site}"
# A fresh clone elsewhere gets its own copies of the workspace crates in the shared cache;
# incremental data for them is large and never reused, so CI builds without it.
if [[ -n "${CI:-}" ]]; then
  export CARGO_INCREMENTAL=0
fi
