#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, postgres) are on this machine: the e2e tests of the SQL
# cleanup action start a throw-away server from them (local/postgres.ts). Debian/Ubuntu package
# `postgresql`; nothing is installed when a version is already there (the warm path costs a directory
# listing). Called by `npm run setup`. Set LTC_PG_BIN to use binaries elsewhere.
set -euo pipefail

log() { printf '[setup-postgres] %s\n' "$*" >&2; }

if [[ -n "${LTC_PG_BIN:-}" && -x "$LTC_PG_BIN/initdb" ]]; then
  log "using $LTC_PG_BIN"
  exit 0
fi
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  log "present: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  log "PostgreSQL is missing and this is not a Debian-like system: install its server package, or set LTC_PG_BIN"
  exit 1
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { log "PostgreSQL is missing: run 'apt-get install -y postgresql' as root"; exit 1; }
  sudo=(sudo)
fi
log "installing the Debian package postgresql"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql >&2
# The package starts a system cluster; the tests start their own on a free port, so stop it if it runs.
if command -v pg_lsclusters >/dev/null; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do
    "${sudo[@]}" pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
  done
fi
log "installed: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
