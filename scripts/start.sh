#!/usr/bin/env bash
# Installs what AI-Slave needs, builds it and starts it on http://127.0.0.1:3000 (PORT and HOST
# override). The SQLite database under ./data is created and migrated at start.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v git >/dev/null; then
  echo "AI-Slave needs git: install it first (apt-get install -y git)." >&2
  exit 1
fi
bash scripts/ensure-deps.sh

build_stamp=.next/.ai-slave-build-stamp
source_hash=$(git ls-files -s -- app components lib server instrumentation.ts next.config.ts package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -f "$build_stamp" ] || [ "$(cat "$build_stamp")" != "$source_hash" ] || [ -n "$(git status --porcelain -- app components lib server 2>/dev/null)" ]; then
  echo "==> Building (next build)"
  npx next build
  echo "$source_hash" > "$build_stamp"
fi

echo "==> Starting AI-Slave"
exec env NODE_ENV=production node --import tsx server.ts
