#!/usr/bin/env bash
# Ferrokey beside the team's performance anchor (../shared/bench): builds the release binary,
# serves a fresh SQLite data dir pinned to core 0, and runs the anchor's run.sh, whose driver
# (core 1) measures SimpleWebAuthn and then Ferrokey at concurrency 1, 8 and 32.
# Loopback only, bounded by SECONDS per run. Results go to stdout; keep them in RESULTS.md.
# usage: bench/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
anchor=../shared/bench
[ -x "$anchor/run.sh" ] || { echo "the anchor ($anchor) is missing" >&2; exit 1; }
cargo build --release -q -p ferrokey
data=$(mktemp -d)
trap 'kill ${pid:-} 2>/dev/null || true; rm -rf "$data"' EXIT
keys=$(./target/release/ferrokey app create bench --data-dir "$data")
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
RUST_LOG=warn taskset -c 0 ./target/release/ferrokey serve --addr "127.0.0.1:$port" --data-dir "$data" &
pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/health/http" >/dev/null 2>&1 && break; sleep 0.1; done
TARGET_BASE="http://127.0.0.1:$port" \
TARGET_KEY=$(python3 -c 'import json,sys;print(json.loads(sys.argv[1])["apiKey"])' "$keys") \
TARGET_SECRET=$(python3 -c 'import json,sys;print(json.loads(sys.argv[1])["apiSecret"])' "$keys") \
TARGET_PID=$pid "$anchor/run.sh" "${1:-20}"
