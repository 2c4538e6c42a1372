#!/usr/bin/env bash
# The reliability scenarios at full size against the production server: 500 tasks over 5
# workspaces, 100 SSE clients, a host away for 30 s, kill -9 mid-operation, a locked database,
# a full disk, 100 MB of agent output. Prints each scenario's figures and writes them to
# test-results/reliability-report.txt. Needs what `bash scripts/test.sh` installs, and root for
# the tmpfs mount of the disk-full scenario. Sizes can be changed through the variables below.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
export RELIABILITY_TASKS="${RELIABILITY_TASKS:-500}"
export RELIABILITY_SSE_CLIENTS="${RELIABILITY_SSE_CLIENTS:-100}"
export RELIABILITY_AWAY_SEC="${RELIABILITY_AWAY_SEC:-30}"
export RELIABILITY_OUTPUT_MB="${RELIABILITY_OUTPUT_MB:-100}"
export RELIABILITY_REPORT="$PWD/test-results/reliability-report.txt"
export RELIABILITY_QUIET=1
: > "$RELIABILITY_REPORT"
[ -f .next/BUILD_ID ] || npx next build
status=0
npx vitest run --project reliability --no-file-parallelism "$@" || status=$?
echo
echo "== Figures ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
cat "$RELIABILITY_REPORT"
exit $status
