#!/usr/bin/env bash
# Installs what AI-Slave needs, builds it and starts it on http://127.0.0.1:3000 (PORT and HOST
# override). The SQLite database under ./data is created and migrated at start.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v git >/dev/null; then
  echo "AI-Slave needs git: install it first (apt-get install -y git)." >&2
  exit 1
fi
if ! command -v tmux >/dev/null; then
  # Every agent runs detached in a tmux session, so a restart of the server does not stop it.
  if command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null; }; then
    echo "==> Installing tmux (agents run in tmux sessions)"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y -qq tmux >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq tmux >/dev/null; }
  else
    echo "AI-Slave needs tmux: every agent runs in a tmux session. Install it first (apt-get install -y tmux, dnf install tmux, brew install tmux)." >&2
    exit 1
  fi
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
# server.ts bundled for plain node (scripts/bundle-server.mjs, 0.1 s): no TypeScript compiled at start.
node scripts/bundle-server.mjs
# glibc's allocator: one arena, freed memory returned past 1 MB; V8's young generation capped at
# 4 MB semi-spaces (scripts/production-server.ts, MALLOC_ENV and NODE_FLAGS).
exec env NODE_ENV=production MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}" MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-1048576}" node --max-semi-space-size=4 .next/ai-slave-server.mjs
