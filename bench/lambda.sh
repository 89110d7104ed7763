#!/usr/bin/env bash
# Lambda cold start and binary size: builds every function binary, starts moto with a table,
# and runs tests/examples/lambda_cold_start.rs, which execs each binary against a Lambda
# Runtime API emulator and times exec → first answer (median of 10 cold starts each).
# Results go to stdout; keep them in BENCHMARKS.md.
# usage: bench/lambda.sh [cargo profile, default release]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
profile=${1:-release}
moto=.venv-test/bin/moto_server
[ -x "$moto" ] || { echo "no $moto: run scripts/test once (it makes .venv-test)" >&2; exit 1; }
cargo build -q --locked --profile "$profile" -p ferrokey-functions -p ferrokey
cargo build -q --locked --release -p ferrokey-tests --example lambda_cold_start
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$moto" -p "$port" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break; sleep 0.1; done
export AWS_REGION=eu-west-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  AWS_ENDPOINT_URL="http://127.0.0.1:$port" FERROKEY_PEPPER=cold-start-bench-pepper-0123456789
"./target/$profile/ferrokey" table create --table coldstart >/dev/null
"./target/release/examples/lambda_cold_start" "target/$profile" "http://127.0.0.1:$port" coldstart
