#!/usr/bin/env bash
# Installs what building (and, with --test, testing; with --bench, benchmarking) twincity needs. Idempotent: every step is
# skipped when already satisfied. Needs only the package registries.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

CARGO_LEPTOS_VERSION=0.3.10
# wasm-bindgen-cli must match the wasm-bindgen crate pinned in Cargo.toml exactly.
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' "$ROOT/Cargo.toml")"
with_tests=false
with_bench=false
[[ "${1:-}" == "--test" ]] && with_tests=true
[[ "${1:-}" == "--bench" ]] && with_bench=true

step() { printf '\n==> %s\n' "$*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_updated=false
apt_install() {
  if ! $apt_updated; then as_root apt-get update -q; apt_updated=true; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  step "Installing Node.js and npm"
  apt_install nodejs npm
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  step "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes)"
  # Not --locked: the registry lacks one of its locked dependencies.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [[ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]]; then
  step "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes)"
  # 0.3.11 needs rustc 1.96; no_downloads makes a missing tool fail instead of trying GitHub.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads --force
fi

if [[ ! -x "$ROOT/tools/node_modules/.bin/wasm-opt" ]]; then
  step "Installing binaryen's wasm-opt from npm"
  npm ci --prefix "$ROOT/tools" --no-audit --no-fund
fi

if $with_tests; then
  if [[ ! -x /usr/bin/chromium ]]; then
    step "Installing Debian's Chromium for the browser tests"
    apt_install chromium fonts-dejavu-core
  fi
  # The Nu HTML checker (npm vnu-jar) runs on Debian's Java.
  if ! command -v java >/dev/null; then
    step "Installing a Java runtime for the HTML checker"
    apt_install default-jre-headless
  fi
  if ! "$BOVINE_VENV/bin/python" -c "import bovine" 2>/dev/null; then
    step "Installing bovine from PyPI for the federation interoperability test"
    # Debian's python3 makes virtual environments only with python3-venv (for ensurepip).
    if ! python3 -c "import ensurepip" 2>/dev/null; then
      apt_install python3 python3-venv
    fi
    rm -rf "$BOVINE_VENV"
    python3 -m venv "$BOVINE_VENV"
    "$BOVINE_VENV/bin/pip" install -q --disable-pip-version-check \
      -r "$ROOT/end2end/federation/requirements.txt"
  fi
  if [[ ! -d "$ROOT/end2end/node_modules/@playwright/test" ||
        ! -f "$ROOT/end2end/node_modules/vnu-jar/build/dist/vnu.jar" ]]; then
    step "Installing the Playwright test runner and the HTML checker (no browser download)"
    # --ignore-scripts: vnu-jar's install script would fetch a Java runtime; Debian's is used.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$ROOT/end2end" --no-audit --no-fund --ignore-scripts
  fi
fi

if $with_bench; then
  missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || missing+=(nginx)
  command -v curl >/dev/null || missing+=(curl)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium fonts-dejavu-core)
  if (( ${#missing[@]} )); then
    step "Installing ${missing[*]} for the benchmarks"
    apt_install "${missing[@]}"
  fi
  if [[ ! -x "$ROOT/bench/node_modules/.bin/lighthouse" ]]; then
    step "Installing Lighthouse from npm (it uses Debian's Chromium)"
    npm ci --prefix "$ROOT/bench" --no-audit --no-fund
  fi
  # Names what is left in the WebAssembly (bench/bench.mjs reports its largest contributors).
  if [[ "$(twiggy --version 2>/dev/null)" != "twiggy 0.8.0" ]]; then
    step "Installing twiggy 0.8.0 from crates.io"
    cargo install twiggy --version 0.8.0 --locked
  fi
fi
