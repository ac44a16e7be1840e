#!/usr/bin/env bash
# Creates ./.venv (repo root) and installs locust/requirements.txt (Locust, moto) and test/requirements.txt
# (cfn-lint) into it.
# Idempotent: skips pip when .venv/.requirements.sha256 matches the requirements files'
# (and interpreter) hash; then it costs a Python start. Run by scripts/provision.sh; safe from a clean clone.
#
# Env: PYTHON        interpreter used to create the venv (default: python3)
#      LTC_VENV_DIR  venv location (default: <repo>/.venv)
#      LTC_FORCE=1   reinstall even when the stamp matches
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
venv="${LTC_VENV_DIR:-$repo_root/.venv}"
requirements=("$repo_root/locust/requirements.txt" "$repo_root/test/requirements.txt")
stamp="$venv/.requirements.sha256"

log() { printf '[setup-python] %s\n' "$*"; }
die() { printf '[setup-python] ERROR: %s\n' "$*" >&2; exit 1; }

command -v "$python" >/dev/null 2>&1 || die "'$python' not found; install Python >= 3.10 or set PYTHON=/path/to/python3"
"$python" - <<'PY' || die "Python >= 3.10 is required (found $("$python" --version 2>&1))"
import sys
sys.exit(0 if sys.version_info >= (3, 10) else 1)
PY
for file in "${requirements[@]}"; do [ -f "$file" ] || die "missing $file"; done

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

want="$( { cat "${requirements[@]}"; "$venv/bin/python" -c 'import sys; print(sys.version)'; } | sha256)"
have="$(cat "$stamp" 2>/dev/null || true)"

if [ "${LTC_FORCE:-0}" != "1" ] && [ "$want" = "$have" ]; then
  log "$venv: requirements installed (stamp matches)"
  exit 0
fi
log "installing $(cat "${requirements[@]}" | grep -cvE '^\s*(#|$)') requirement(s) from locust/requirements.txt and test/requirements.txt (about a minute)"
rm -f "$stamp"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet "${requirements[@]/#/-r}"
printf '%s\n' "$want" >"$stamp"
log "installed; wrote stamp $stamp"
log "locust $("$venv/bin/locust" --version 2>&1 | awk '{print $2}') at $venv/bin/locust"
log "moto_server at $venv/bin/moto_server"
log "cfn-lint $("$venv/bin/cfn-lint" --version 2>&1 | awk '{print $2}') at $venv/bin/cfn-lint"
