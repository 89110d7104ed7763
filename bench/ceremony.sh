#!/usr/bin/env bash
# In-process ceremony cost (criterion, tests/benches/ceremony.rs): a full sign-in and a full
# registration through the Router on SQLite beside the P-256 verify, in one run, for each
# WebAuthn line behind the wrapper: webauthn-rs-core 0.5 (OpenSSL, the default) and 0.6
# (RustCrypto). Pinned to one core. Results go to stdout; keep them in BENCHMARKS.md.
# usage: bench/ceremony.sh [openssl|rustcrypto|both]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
which=${1:-both}
run() {
  echo "== webauthn line: $1"
  taskset -c 0 cargo bench -q -p ferrokey-tests --bench ceremony ${2:+--features "$2"} -- \
    2>&1 | grep -E '^(ceremony|p256-verify|sign-in by call)|time:'
}
if [ "$which" = openssl ] || [ "$which" = both ]; then run "0.5 (OpenSSL)" ""; fi
if [ "$which" = rustcrypto ] || [ "$which" = both ]; then run "0.6 (RustCrypto)" rustcrypto; fi
