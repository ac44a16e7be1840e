#!/usr/bin/env bash
# Measures what a newcomer waits for: a clean clone of this repository with every cache empty (the tool cache,
# pip's, Go's build and module caches, npm's), then `npm ci && npm run demo`, each line stamped with the
# seconds since the demo started. Prints the load average before and after: the machine may be shared.
#
#   scripts/measure-fresh-start.sh [branch]     # default: the current branch; the clone and caches stay in
#                                               # a temporary folder whose path is printed first
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
branch=${1:-$(git -C "$repo" rev-parse --abbrev-ref HEAD)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ltc-fresh-start.XXXXXX")
echo "fresh start of $branch in $tmp"
export XDG_CACHE_HOME=$tmp/cache GOPATH=$tmp/gopath npm_config_cache=$tmp/npm
git clone -q --branch "$branch" "$repo" "$tmp/repo" && cd "$tmp/repo" || exit 1
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
started=$SECONDS
npm ci --no-audit --no-fund >"$tmp/npm-ci.log" 2>&1
echo "npm ci: exit $?, $((SECONDS - started)) s"
demo=$SECONDS
npm run demo 2>&1 | while IFS= read -r line; do printf '%4d %s\n' $((SECONDS - demo)) "$line"; done
echo "npm run demo: exit ${PIPESTATUS[0]}, $((SECONDS - demo)) s; npm ci && npm run demo: $((SECONDS - started)) s"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
