#!/usr/bin/env bash
# Installs the agent CLIs that only the tests need (Gemini CLI, Qwen Code, opencode: ~600 MB
# together) into .agent-clis/, pinned by scripts/agent-clis/package.json and its lock. start.sh never
# runs this: at run time AI-Slave uses the CLI on your PATH, AI_SLAVE_<AGENT>_BIN or the
# cliPath.<backend> setting. The tests point AI_SLAVE_<AGENT>_BIN at .agent-clis/node_modules/.bin.
set -euo pipefail
cd "$(dirname "$0")/.."

target=.agent-clis
lock_hash=$(cat scripts/agent-clis/package.json scripts/agent-clis/package-lock.json | sha256sum | cut -d' ' -f1)
stamp=$target/.ai-slave-lock-hash
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "==> Installing the agent CLIs the tests drive into $target (npm install)"
  mkdir -p "$target"
  cp scripts/agent-clis/package.json scripts/agent-clis/package-lock.json "$target/"
  # npm ci refuses this lock (npm drops the other platforms' optional packages from it): install honours it too.
  (cd "$target" && npm install --no-audit --no-fund --no-save)
  echo "$lock_hash" > "$stamp"
fi
# Qwen Code ships its ripgrep without the exec bit (it falls back to a slower grep otherwise).
find "$target/node_modules/@qwen-code/qwen-code/vendor" -path '*ripgrep*' -name rg -type f -exec chmod +x {} + 2>/dev/null || true
