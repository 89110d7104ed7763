#!/usr/bin/env bash
# Runs the official Python SDK (passwordless==2.0.0) compatibility suite against
# `ferrokey serve`, on SQLite and on DynamoDB in a moto server it starts. The server binary is
# $FERROKEY_BIN, default target/debug/ferrokey (build it first: cargo build -p ferrokey).
# Extra arguments go to pytest.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

venv="$repo_root/.venv-test"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r tests/requirements.txt

# No .pytest_cache / __pycache__ litter in the repo.
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/sdk/python "$@"
