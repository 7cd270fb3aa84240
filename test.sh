#!/usr/bin/env bash
# Runs every test in the solution on a fresh machine: installs what the tests need (Azurite and the
# JavaScript Storage SDK from npm, Debian's chromium for browser tests), then `dotnet test`, then prints the
# totals as one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"

# The review page is tested in a real browser (Debian chromium driven by Playwright).
export AGENTFUNCTIONS_NEED_CHROMIUM=1
./tools/install.sh

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
dotnet test AgentFunctions.sln -c Release --nologo "$@" 2>&1 | tee "$results/out.log" || status=$?

# VSTest prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
awk '
  /(Passed|Failed)! +- +Failed: / {
    line = $0; gsub(/,/, "", line)
    n = split(line, w, /[ \t]+/)
    for (i = 1; i < n; i++) {
      if (w[i] == "Failed:") f += w[i+1]
      if (w[i] == "Passed:") p += w[i+1]
      if (w[i] == "Skipped:") s += w[i+1]
    }
    seen = 1
  }
  END {
    if (!seen) { print "0 passed, 0 failed"; exit }
    printf "%d passed, %d failed, %d skipped\n", p, f, s
  }' "$results/out.log"
exit "$status"
