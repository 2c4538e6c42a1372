#!/usr/bin/env bash
# Installs AI-Slave's npm dependencies when they are missing or stale, and generates the
# Prisma client. Shared by scripts/start.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.ai-slave-lock-hash
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "==> Installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi

echo "==> Generating the Prisma client"
npx prisma generate >/dev/null
