#!/usr/bin/env bash
# Runs the official JS SDKs against `ferrokey serve` (built first: target/debug/ferrokey, or
# $FERROKEY_BIN): the browser client (@passwordlessdev/passwordless-client) in headless Debian
# Chromium, with the Node SDK (@passwordlessdev/passwordless-nodejs) as the backend.
# Installs what it needs: Debian's chromium (root, apt) and the pinned npm packages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/js"

if [ ! -x /usr/bin/chromium ]; then
    # An apt hook on these machines deletes downloaded packages between dpkg passes, which
    # breaks a plain install; install with that one hook left out (../shared/TESTING.md).
    apt-get update -qq
    parts=$(mktemp -d)
    cp /etc/apt/apt.conf.d/* "$parts"/
    rm -f "$parts"/docker-clean
    DEBIAN_FRONTEND=noninteractive apt-get -o Dir::Etc::Parts="$parts" install -y -qq \
        --no-install-recommends chromium
fi
# Exact versions from package-lock.json; no browser download (playwright-core uses ours).
npm ci --no-audit --no-fund --silent
exec node --test
