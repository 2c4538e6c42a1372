#!/usr/bin/env bash
# The Debian packages the test suite uses: Chromium for the browser tests, OpenSSH, Docker and
# debootstrap for the remote-workspace tests (zsh and fish as login shells there), tmux and git. Installs only what is missing.
set -euo pipefail

need=()
command -v git >/dev/null || need+=(git)
command -v tmux >/dev/null || need+=(tmux)
command -v zsh >/dev/null || need+=(zsh)
command -v fish >/dev/null || need+=(fish)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "==> Installing system packages: ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
