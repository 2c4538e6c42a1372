#!/usr/bin/env bash
# Runs every test AI-Slave has: type check, unit and integration tests (real git, SQLite, the
# real agent CLIs against a fake model server, OpenSSH and Docker on 127.0.0.1), then the browser
# tests in Chromium against a production build. Installs what they need first.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
status=0
step() { echo; echo "==> $*"; }

step "System packages"
bash scripts/install-system-deps.sh || exit 1
step "npm dependencies"
bash scripts/ensure-deps.sh || exit 1
step "Agent CLIs for the tests (Gemini CLI, Qwen Code, opencode)"
bash scripts/install-agent-clis.sh || exit 1

step "Type check (tsc --noEmit)"
npx tsc --noEmit || status=1

step "Unit and integration tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=1

step "Production build (next build)"
if npx next build > test-results/next-build.log 2>&1; then
  tail -n 30 test-results/next-build.log
  step "Browser tests (Playwright, Debian Chromium)"
  PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json npx playwright test --reporter=list,json || status=1
else
  cat test-results/next-build.log
  echo "next build failed: browser tests not run"
  status=1
fi

step "Summary"
node scripts/test-summary.mjs test-results/vitest.json test-results/playwright.json || status=1
exit $status
