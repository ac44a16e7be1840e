#!/usr/bin/env bash
# Creates ./.venv (repo root) and installs requirement files into it:
#
#   scripts/setup-python.sh          locust/requirements.txt (Locust, moto) and test/requirements.txt (cfn-lint)
#   scripts/setup-python.sh locust   locust/requirements.txt only: what the demo runs
#
# Idempotent: skips a file whose stamp (.venv/.stamp-<name>, its hash with the interpreter's version)
# matches; then it costs a Python start. Run by scripts/provision.sh; safe from a clean clone.
#
# Env: PYTHON        interpreter used to create the venv (default: python3)
#      LTC_VENV_DIR  venv location (default: <repo>/.venv)
#      LTC_FORCE=1   reinstall even when the stamps match
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
venv="${LTC_VENV_DIR:-$repo_root/.venv}"
sets=("$@")
((${#sets[@]})) || sets=(locust test)

log() { printf '[setup-python] %s\n' "$*"; }
die() { printf '[setup-python] ERROR: %s\n' "$*" >&2; exit 1; }

command -v "$python" >/dev/null 2>&1 || die "'$python' not found; install Python >= 3.10 or set PYTHON=/path/to/python3"
"$python" - <<'PY' || die "Python >= 3.10 is required (found $("$python" --version 2>&1))"
import sys
sys.exit(0 if sys.version_info >= (3, 10) else 1)
PY
for set in "${sets[@]}"; do
  [ -f "$repo_root/$set/requirements.txt" ] || die "unknown requirement set '$set' (no $set/requirements.txt)"
done

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1; else shasum -a 256 | cut -d' ' -f1; fi
}

# A venv whose interpreter is gone (e.g. Python upgraded, copied checkout) is rebuilt.
if [ -d "$venv" ] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  log "existing $venv is broken; recreating it"
  rm -rf "$venv"
fi

if [ ! -x "$venv/bin/python" ]; then
  log "creating virtual environment $venv with $("$python" --version 2>&1)"
  if ! "$python" -m venv "$venv"; then
    rm -rf "$venv"
    die "'$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
  fi
fi

interpreter="$("$venv/bin/python" -c 'import sys; print(sys.version)')"
for set in "${sets[@]}"; do
  file="$repo_root/$set/requirements.txt"
  stamp="$venv/.stamp-$set"
  want="$( { cat "$file"; echo "$interpreter"; } | sha256)"
  if [ "${LTC_FORCE:-0}" != "1" ] && [ "$want" = "$(cat "$stamp" 2>/dev/null || true)" ]; then
    log "$set/requirements.txt: installed (stamp matches)"
    continue
  fi
  log "$set/requirements.txt: installing $(grep -cvE '^\s*(#|$)' "$file") requirement(s) (a minute or two)"
  rm -f "$stamp"
  started=$SECONDS
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$file"
  printf '%s\n' "$want" >"$stamp"
  log "$set/requirements.txt: installed in $((SECONDS - started)) s"
done
