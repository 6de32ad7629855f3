#!/usr/bin/env bash
# Installs the Debian packages raidwatch needs, when they are missing.
#   scripts/install-system-deps.sh          what the test suite needs: PostgreSQL, Chromium + ChromeDriver, npm
#   scripts/install-system-deps.sh web      only npm (front-end packages for the web app)
set -euo pipefail
need=()
command -v npm >/dev/null || need+=(nodejs npm)
if [ "${1:-test}" = "test" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v chromium >/dev/null || need+=(chromium)
  command -v chromedriver >/dev/null || need+=(chromium-driver)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-system-deps: missing ${need[*]} and cannot install them (needs root and apt-get); tests that need them will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-system-deps: installed ${need[*]}"
