#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the Playwright browser tests.
# Installs the `chromium` package when it is missing and we are root; otherwise says what to do.
# Exits 0 when chromium is there; 1 when it is not (callers decide whether that fails the run).
set -euo pipefail

CHROMIUM=${MSINFUSION_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-chromium: installing Debian's chromium package" >&2
    if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$' || true)" ]; then
        apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ -x "$CHROMIUM" ]; then
    "$CHROMIUM" --version >&2 || true
    exit 0
fi
echo "ensure-chromium: $CHROMIUM is missing (Debian: sudo apt-get install chromium)" >&2
exit 1
