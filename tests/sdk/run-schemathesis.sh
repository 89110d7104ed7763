#!/usr/bin/env bash
# Runs schemathesis (PyPI) against `ferrokey serve` with the server's own /openapi.json: it
# generates requests for every documented operation (valid and invalid) and checks that no
# answer is a 5xx and every answer matches the document (status, content type, schema).
# On SQLite, and on DynamoDB in a moto server it starts. Server binary: $FERROKEY_BIN, default
# target/debug/ferrokey. Extra arguments go to schemathesis.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
venv="$repo/.venv-test"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
bin="${FERROKEY_BIN:-$repo/target/debug/ferrokey}"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "no answer at $1" >&2; return 1; }

# run_against <label> <store args...>: creates an app, serves, runs schemathesis.
run_against() {
    local label="$1"; shift
    local port; port="$(free_port)"
    local keys; keys="$("$bin" app create schemaapp "$@")"
    local key secret
    key="$(echo "$keys" | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["apiKey"])')"
    secret="$(echo "$keys" | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["apiSecret"])')"
    "$bin" serve --addr "127.0.0.1:$port" "$@" >"$work/$label.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$port/health/http"
    echo "--- schemathesis on $label"
    # /health/throw/exception answers 500 by design.
    if ! "$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --exclude-path /health/throw/exception \
        --header "ApiKey: $key" --header "ApiSecret: $secret" \
        --max-examples "${SCHEMATHESIS_EXAMPLES:-30}" --seed 1 \
        --generation-database none --no-color "${EXTRA_ARGS[@]}"; then
        echo "server log ($label), last lines:"; tail -20 "$work/$label.log"
        return 1
    fi
}

EXTRA_ARGS=("$@")
export FERROKEY_PEPPER="schemathesis pepper"
run_against sqlite --data-dir "$work/data"

moto="$venv/bin/moto_server"
moto_port="$(free_port)"
"$moto" -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$moto_port/moto-api/"
export AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port" AWS_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
"$bin" table create --table schemathesis >/dev/null
# Mail works there too: the sender identity exists in moto's SES, as AWS requires.
export FERROKEY_MAIL_FROM=noreply@ferrokey.example
"$venv/bin/python" -c "import boto3; boto3.client('sesv2', endpoint_url='$AWS_ENDPOINT_URL', region_name='us-east-1').create_email_identity(EmailIdentity='$FERROKEY_MAIL_FROM')"
run_against dynamodb --store dynamodb --table schemathesis
