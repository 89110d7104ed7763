#!/usr/bin/env bash
# Builds the admin console (console/dist) and runs its end-to-end tests (every *.test.mjs here,
# in parallel, each with its own server and browser): a real `ferrokey serve`
# (target/debug/ferrokey, built first, or $FERROKEY_BIN) driven through headless Debian
# Chromium with a virtual authenticator. Installs what it needs: Debian's chromium and sqlite3
# (root, apt; sqlite3 backdates an app for the scheduled-deletion test) and the console's
# pinned npm packages (playwright-core among them).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [ ${#missing[@]} -gt 0 ]; then
    # An apt hook on these machines deletes downloaded packages between dpkg passes, which
    # breaks a plain install; install with that one hook left out (as tests/sdk/run-js.sh).
    apt-get update -qq
    parts=$(mktemp -d)
    cp /etc/apt/apt.conf.d/* "$parts"/
    rm -f "$parts"/docker-clean
    DEBIAN_FRONTEND=noninteractive apt-get -o Dir::Etc::Parts="$parts" install -y -qq \
        --no-install-recommends "${missing[@]}"
fi
# Exact versions from console/package-lock.json; no browser download (playwright-core uses ours).
cd "$repo/console"
npm ci --no-audit --no-fund --silent
npm run build --silent
cd "$repo"
exec node --test tests/console/
