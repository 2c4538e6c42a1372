#!/usr/bin/env bash
# Runs every test AI-Slave has: type check, unit and integration tests (real git, SQLite, the
# real agent CLIs against a fake model server, OpenSSH and Docker on 127.0.0.1), then the browser
# tests in Chromium against a production build. Installs what they need first.
set -uo pipefail
# Setup, check and terminal tests run login shells, which read this machine's shell profile. A
# profile that runs `pyenv rehash` waits up to 60 s on its lock file, and a test that kills such
# a shell mid-rehash (a cancel, a time limit) leaves that lock behind: every later login shell then
# waited the whole minute, and five tests timed out in one run. Waiting 2 s at most keeps them apart.
export PYENV_REHASH_TIMEOUT="${PYENV_REHASH_TIMEOUT:-2}"
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

# The build comes first: the restart tests in vitest and the browser tests run the real
# production server (server.ts over .next/).
step "Production build (next build)"
built=0
if npx next build > test-results/next-build.log 2>&1; then
  built=1
  tail -n 30 test-results/next-build.log
else
  cat test-results/next-build.log
  echo "next build failed: the tests that need the production server will fail"
  status=1
fi

step "Unit and integration tests (vitest)"
npx vitest run --project unit --project integration --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=1

# Load, crash and fault scenarios against the production server, reduced in size (100 tasks);
# alone on the machine, one file at a time. scripts/reliability.sh runs them at full size.
step "Reliability tests (vitest project reliability)"
if [ "$built" = 1 ]; then
  npx vitest run --project reliability --no-file-parallelism --reporter=default --reporter=json --outputFile.json=test-results/reliability.json || status=1
else
  echo "next build failed: reliability tests not run"
fi

if [ "$built" = 1 ]; then
  step "Browser tests (Playwright, Debian Chromium)"
  PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json npx playwright test --reporter=list,json || status=1
else
  echo "next build failed: browser tests not run"
fi

step "Summary"
node scripts/test-summary.mjs test-results/vitest.json test-results/reliability.json test-results/playwright.json || status=1
exit $status
