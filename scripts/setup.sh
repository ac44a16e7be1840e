#!/usr/bin/env bash
# One-time set-up of what the local runs and the tests need beyond npm:
# the Python venv (Locust, moto) and the Go-built servers (Hoverfly), cached outside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-python.sh
bash scripts/build-go-tools.sh
