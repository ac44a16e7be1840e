#!/usr/bin/env bash
# Everything the local runs and the tests need beyond npm, up front (CI, or to be ready offline): the Python
# venv (Locust, moto), the Go-built servers (Hoverfly, etcd, Kubernetes, kwok) cached outside the repo, and
# Chromium and PostgreSQL (apt, only when missing). `npm run demo` and `npm test` provision what they need
# themselves; this is the same, all at once.
set -euo pipefail
exec bash "$(dirname "$0")/provision.sh" test
