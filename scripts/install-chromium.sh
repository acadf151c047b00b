#!/usr/bin/env bash
# Installs Debian's chromium, which the report test uses to render report.html
# headlessly. Does nothing when /usr/bin/chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
  exit 0
fi

# apt-get needs root; use sudo only when not root already
run_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

export DEBIAN_FRONTEND=noninteractive
run_as_root apt-get update -q
run_as_root apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
