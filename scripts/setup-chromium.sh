#!/usr/bin/env bash
# Installs Debian's chromium for the report tests (headless: the HTML report must open without console
# errors and its charts must render). Idempotent: does nothing when a chromium is already there.
#
# Env: LTC_CHROMIUM  path of a chromium to use instead (then nothing is installed)
set -euo pipefail

log() { printf '[setup-chromium] %s\n' "$*"; }

if [ -n "${LTC_CHROMIUM:-}" ] && [ -x "${LTC_CHROMIUM}" ]; then
  log "using LTC_CHROMIUM=${LTC_CHROMIUM}"
  exit 0
fi
if command -v chromium >/dev/null 2>&1; then
  log "chromium already installed: $(command -v chromium)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  log "WARNING: no chromium and no apt-get; install chromium (or set LTC_CHROMIUM) for the report tests"
  exit 0
fi
sudo=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    log "WARNING: not root and no sudo; install chromium yourself for the report tests"
    exit 0
  fi
fi
log "installing chromium with apt-get"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
log "installed $(chromium --version 2>/dev/null || echo chromium)"
