#!/usr/bin/env bash
# The main job: Azurite (disk persistence in .azurite/) and the local Functions host, at http://127.0.0.1:7071.
# Open the URL it prints, submit a question, approve it. Ctrl+C stops the host first, then Azurite.
#
# Environment (docs/operations.md has the details):
#   AGENTFUNCTIONS_PORT            host port on 127.0.0.1 (default 7071; a --urls argument wins over it)
#   AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT
#                                  Azurite's ports (default 10000, 10001, 10002); the host's AzureWebJobsStorage
#                                  names the same ports
#   AGENTFUNCTIONS_REUSE_STORAGE=1 use storage already listening on those ports instead of refusing to start
#   AGENTFUNCTIONS_DATA_DIR        Azurite's data, its log and the local secrets (default .azurite)
#   AGENTFUNCTIONS_STOP_TIMEOUT    seconds the host gets to stop before it is killed (default 10)
#   AGENTFUNCTIONS_NO_BUILD=1      run the existing build of the host instead of building it first
#   AGENTFUNCTIONS_CONFIGURATION   the build configuration to build and run (default Release)
# Extra arguments go to the host (e.g. --urls http://127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")"

fail() { echo "run.sh: $*" >&2; exit 1; }
port_setting() {
  local name="$1" default="$2" value
  value="${!name:-$default}"
  [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -ge 1 ] && [ "$value" -le 65535 ] ||
    fail "$name is '$value'; it must be a port number from 1 to 65535."
  echo "$value"
}
host_port="$(port_setting AGENTFUNCTIONS_PORT 7071)"
blob_port="$(port_setting AZURITE_BLOB_PORT 10000)"
queue_port="$(port_setting AZURITE_QUEUE_PORT 10001)"
table_port="$(port_setting AZURITE_TABLE_PORT 10002)"
stop_timeout="${AGENTFUNCTIONS_STOP_TIMEOUT:-10}"
[[ "$stop_timeout" =~ ^[0-9]+$ ]] && [ "$stop_timeout" -ge 1 ] ||
  fail "AGENTFUNCTIONS_STOP_TIMEOUT is '$stop_timeout'; it must be a whole number of seconds, at least 1."
data="${AGENTFUNCTIONS_DATA_DIR:-.azurite}"
configuration="${AGENTFUNCTIONS_CONFIGURATION:-Release}"

urls_given=false
for arg in "$@"; do
  case "$arg" in --urls|--urls=*) urls_given=true ;; esac
done

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Stops a process: SIGTERM, up to $2 seconds of grace, then SIGKILL.
stop_process() {
  local pid="$1" grace="$2" name="$3"
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do
    alive "$pid" || return 0
    sleep 0.1
  done
  echo "run.sh: $name did not stop within ${grace}s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

host_pid=""
azurite_pid=""
# The host goes first: it releases its task-hub leases and finishes in-flight work against a storage that is
# still there. Stopping Azurite first left it retrying for a minute and more, ending with a stack trace.
stop_all() {
  trap - INT TERM EXIT
  if alive "$host_pid"; then
    echo "run.sh: stopping the host (pid $host_pid)"
    stop_process "$host_pid" "$stop_timeout" "the host"
  fi
  if alive "$azurite_pid"; then
    echo "run.sh: stopping Azurite (pid $azurite_pid)"
    stop_process "$azurite_pid" 5 "Azurite"
  fi
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

./tools/install.sh
mkdir -p "$data"

if ! $urls_given && listening "$host_port"; then
  fail "127.0.0.1:$host_port is already in use; stop what listens there or choose another port with AGENTFUNCTIONS_PORT."
fi

if [ -n "${AzureWebJobsStorage:-}" ]; then
  echo "run.sh: AzureWebJobsStorage is set in the environment; using it and not starting Azurite"
else
  in_use=""
  for service in blob:$blob_port queue:$queue_port table:$table_port; do
    listening "${service#*:}" && in_use="$in_use ${service%%:*} 127.0.0.1:${service#*:}"
  done
  if [ -n "$in_use" ]; then
    # Something this script did not start may be another project's Azurite, an old one with other data, or not
    # storage at all; the host would write its task hub there. Only reuse it when asked to.
    [ "${AGENTFUNCTIONS_REUSE_STORAGE:-}" = "1" ] ||
      fail "storage ports already in use (${in_use# }), by a process run.sh did not start." \
        "Stop it, move Azurite with AZURITE_BLOB_PORT / AZURITE_QUEUE_PORT / AZURITE_TABLE_PORT," \
        "or set AGENTFUNCTIONS_REUSE_STORAGE=1 to use the storage listening there."
    echo "run.sh: reusing the storage listening on 127.0.0.1 blob:$blob_port queue:$queue_port table:$table_port (AGENTFUNCTIONS_REUSE_STORAGE=1)"
  else
    echo "run.sh: starting Azurite on 127.0.0.1 blob:$blob_port queue:$queue_port table:$table_port (data and log in $data)"
    # A session of its own: Ctrl+C in the terminal reaches only this script, which stops the host before Azurite.
    AZURITE_BLOB_PORT="$blob_port" AZURITE_QUEUE_PORT="$queue_port" AZURITE_TABLE_PORT="$table_port" AZURITE_LOCATION="$data" \
      setsid ./tools/azurite.sh > "$data/azurite.log" 2>&1 < /dev/null &
    azurite_pid=$!
    for _ in $(seq 1 300); do
      listening "$blob_port" && listening "$queue_port" && listening "$table_port" && break
      alive "$azurite_pid" || break
      sleep 0.1
    done
    alive "$azurite_pid" && listening "$blob_port" && listening "$queue_port" && listening "$table_port" ||
      fail "Azurite did not start; see $data/azurite.log"
    echo "run.sh: Azurite pid $azurite_pid"
  fi
  account="devstoreaccount1"
  key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  # Explicit endpoints, because UseDevelopmentStorage=true always means the default ports.
  export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/$account;QueueEndpoint=http://127.0.0.1:$queue_port/$account;TableEndpoint=http://127.0.0.1:$table_port/$account;"
fi

# Local review secrets, generated once and kept in the data folder (git-ignored), unless already configured.
if [ -z "${AgentFunctions__Review__WebhookSecret:-}" ]; then
  [ -s "$data/webhook-secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$data/webhook-secret"
  AgentFunctions__Review__WebhookSecret="$(cat "$data/webhook-secret")"
  export AgentFunctions__Review__WebhookSecret
  echo "run.sh: webhook secret in $data/webhook-secret (docs/http.md: signing a decision)"
fi
if [ -z "${AgentFunctions__Review__LinkSecret:-}" ]; then
  [ -s "$data/link-secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$data/link-secret"
  AgentFunctions__Review__LinkSecret="$(cat "$data/link-secret")"
  export AgentFunctions__Review__LinkSecret
fi

# Local development posts callbacks to receivers on this machine; production keeps the defaults (https, public only).
callbacks_configured() {
  [ -n "${AgentFunctions__Callbacks__AllowPrivateNetworks:-}${AgentFunctions__Callbacks__AllowHttp:-}" ] ||
    { [ -f local.settings.json ] && grep -Eq '"AgentFunctions(__|:)Callbacks(__|:)Allow(PrivateNetworks|Http)" *: *"[^"]' local.settings.json; }
}
if ! callbacks_configured; then
  export AgentFunctions__Callbacks__AllowPrivateNetworks=true AgentFunctions__Callbacks__AllowHttp=true
  echo "run.sh: callbacks may reach http://127.0.0.1 and private networks (local development; set AgentFunctions__Callbacks__AllowPrivateNetworks=false to try the production policy)"
fi

if [ "${AGENTFUNCTIONS_NO_BUILD:-}" != "1" ]; then
  echo "run.sh: building the host ($configuration)"
  dotnet build src/AgentFunctions.Host -c "$configuration" --nologo -v quiet
fi
dll="src/AgentFunctions.Host/bin/$configuration/net10.0/AgentFunctions.Host.dll"
[ -f "$dll" ] || fail "$dll is missing; run without AGENTFUNCTIONS_NO_BUILD=1 to build it."

host_args=("$@")
$urls_given || host_args=(--urls "http://127.0.0.1:$host_port" "${host_args[@]}")
setsid dotnet "$dll" "${host_args[@]}" < /dev/null &
host_pid=$!
echo "run.sh: host pid $host_pid"

# `wait` returns early when a trapped signal arrives, so Ctrl+C is handled at once.
status=0
wait "$host_pid" || status=$?
host_pid=""
stop_all
exit "$status"
