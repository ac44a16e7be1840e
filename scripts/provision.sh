#!/usr/bin/env bash
# Provisions what a command needs beyond npm, on first use, cached and idempotent (on a provisioned machine it
# checks stamps and file names only and costs well under a second):
#
#   scripts/provision.sh demo   the Python venv with Locust and moto, and Hoverfly: `npm run demo` runs this
#   scripts/provision.sh unit   the Python venv with Locust and moto: unit tests run the Locust plugin in it
#   scripts/provision.sh test   everything: demo's, plus cfn-lint in the venv, etcd, the Kubernetes control
#                               plane, kwok (built from the Go module proxy), Chromium and PostgreSQL (apt)
#
# `npm test` runs it from vitest's global set-up (test/provision.ts) for the projects it runs; `npm run setup`
# runs `test` up front. The venv goes to <repo>/.venv, the Go-built tools to
# ${LTC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/load-test-conductor}.
# Needs python3 (with venv) and go on the PATH; root or sudo for apt-get when Chromium or PostgreSQL is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-test}
log() { printf '[provision] %s\n' "$*" >&2; }
started=$SECONDS

# The venv (pip: mostly network) is installed beside the Go builds (mostly CPU), and so are the apt packages.
pids=()
names=()
go_failed=0
beside() {
  local name=$1
  shift
  "$@" &
  pids+=($!)
  names+=("$name")
}
wait_all() {
  local i failed=()
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed+=("${names[$i]}"); done
  ((go_failed == 0)) || failed+=("Go-built tools")
  if ((${#failed[@]})); then
    log "$target: failed: ${failed[*]} (see the lines above)"
    exit 1
  fi
}

case "$target" in
unit)
  bash scripts/setup-python.sh locust
  ;;
demo)
  beside "Python venv" bash scripts/setup-python.sh locust
  bash scripts/build-go-tools.sh hoverfly >/dev/null || go_failed=1
  wait_all
  ;;
test)
  beside "Python venv" bash scripts/setup-python.sh
  beside "Chromium and PostgreSQL" bash -c 'bash scripts/setup-chromium.sh && bash scripts/setup-postgres.sh'
  bash scripts/build-go-tools.sh >/dev/null || go_failed=1
  wait_all
  ;;
*)
  log "unknown target '$target' (known: demo, unit, test)"
  exit 2
  ;;
esac
if ((SECONDS - started > 2)); then log "$target: ready in $((SECONDS - started)) s"; fi
