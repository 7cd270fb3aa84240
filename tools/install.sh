#!/usr/bin/env bash
# Installs what running and testing need beyond the .NET SDK, idempotently and only through the registries
# this machine reaches: npm packages pinned in tools/package-lock.json (Azurite, the JavaScript Storage SDK
# used as an interop peer) and, for browser tests, Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")"

if [ -f package-lock.json ] && [ ! -x node_modules/.bin/azurite ]; then
  echo "tools/install.sh: installing npm tools (azurite, @azure/storage-*) from tools/package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${AGENTFUNCTIONS_NEED_CHROMIUM:-0}" = "1" ] && [ ! -x /usr/bin/chromium ]; then
  echo "tools/install.sh: installing Debian's chromium for browser tests"
  if [ "$(id -u)" = "0" ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
