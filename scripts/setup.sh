#!/usr/bin/env bash
# One-time set-up of what the local runs and the tests need beyond npm:
# the Python venv (Locust, moto), the Go-built servers (Hoverfly), cached outside the repo, and
# chromium for the report tests and PostgreSQL for the SQL cleanup tests (apt, only when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-python.sh
bash scripts/build-go-tools.sh
bash scripts/setup-chromium.sh
bash scripts/setup-postgres.sh
