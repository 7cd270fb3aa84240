#!/usr/bin/env bash
# Starts Azurite (blob 10000, queue 10001, table 10002 on 127.0.0.1) with its data in .azurite/ at the repo
# root, so queues, tables and blobs survive a restart the way a storage account does. Runs in the
# foreground (Ctrl+C stops it); exits at once, saying so, when something already listens on those ports.
# Ports can be moved with AZURITE_BLOB_PORT / AZURITE_QUEUE_PORT / AZURITE_TABLE_PORT, the data folder with
# AZURITE_LOCATION (relative paths are taken from the repo root).
set -euo pipefail
tools="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$tools")"
blob_port="${AZURITE_BLOB_PORT:-10000}"
queue_port="${AZURITE_QUEUE_PORT:-10001}"
table_port="${AZURITE_TABLE_PORT:-10002}"
location="${AZURITE_LOCATION:-.azurite}"
case "$location" in /*) ;; *) location="$root/$location" ;; esac

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if listening "$blob_port" && listening "$queue_port" && listening "$table_port"; then
  echo "azurite.sh: already listening on 127.0.0.1 blob:$blob_port queue:$queue_port table:$table_port; nothing to do"
  exit 0
fi

"$tools/install.sh"
# A 64 MB semi-space: Azurite allocates a lot per request and keeps every row in its heap; fewer scavenges
# mean fewer pauses under load (H1's p99 in the README).
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-semi-space-size=64"
mkdir -p "$location"
echo "azurite.sh: blob http://127.0.0.1:$blob_port/devstoreaccount1," \
  "queue http://127.0.0.1:$queue_port/devstoreaccount1," \
  "table http://127.0.0.1:$table_port/devstoreaccount1; data in $location"
exec "$tools/node_modules/.bin/azurite" \
  --blobHost 127.0.0.1 --blobPort "$blob_port" \
  --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port" \
  --location "$location" \
  --skipApiVersionCheck --loose --disableTelemetry --silent \
  "$@"
