#!/usr/bin/env bash
# The main job: Azurite (disk persistence in .azurite/) and the local Functions host, at
# http://127.0.0.1:7071 unless --urls says otherwise. Open the URL it prints, submit a question, approve it.
# Extra arguments go to the host (e.g. --urls http://127.0.0.1:8080). Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")"

./tools/install.sh
mkdir -p .azurite

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
azurite_pid=""
if ! listening 10001; then
  echo "run.sh: starting Azurite (log: .azurite/azurite.log)"
  ./tools/azurite.sh > .azurite/azurite.log 2>&1 &
  azurite_pid=$!
  for _ in $(seq 1 150); do
    listening 10000 && listening 10001 && listening 10002 && break
    sleep 0.2
  done
  listening 10001 || { echo "run.sh: Azurite did not start; see .azurite/azurite.log" >&2; exit 1; }
fi
trap '[ -n "$azurite_pid" ] && kill "$azurite_pid" 2>/dev/null || true' EXIT

# Local review secrets, generated once and kept in .azurite/ (git-ignored), unless already configured.
if [ -z "${AgentFunctions__Review__WebhookSecret:-}" ]; then
  [ -s .azurite/webhook-secret ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .azurite/webhook-secret
  export AgentFunctions__Review__WebhookSecret="$(cat .azurite/webhook-secret)"
  echo "run.sh: webhook secret in .azurite/webhook-secret (see README: signing a decision)"
fi
if [ -z "${AgentFunctions__Review__LinkSecret:-}" ]; then
  [ -s .azurite/link-secret ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .azurite/link-secret
  export AgentFunctions__Review__LinkSecret="$(cat .azurite/link-secret)"
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

dotnet run --project src/AgentFunctions.Host -c Release -- "$@"
