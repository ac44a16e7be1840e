#!/usr/bin/env bash
# Build the Go tools that the local environment and the e2e tests run, once, into a cache OUTSIDE the repo:
#
#   ${LTC_CACHE_DIR:-$HOME/.cache/load-test-conductor}/bin/<tool>-<version>
#
# Idempotent: a tool whose binary is already there is not rebuilt. Prints one binary path per line on stdout
# (progress goes to stderr), so callers can do `HOVERFLY=$(scripts/build-go-tools.sh hoverfly)`.
#
#   scripts/build-go-tools.sh            # every tool
#   scripts/build-go-tools.sh hoverfly   # only the named ones
#
# Only the Go module proxy is needed (no GitHub downloads). No Go source or binary ever lands in the repo.
# To add a tool (kube-apiserver, etcd, kwok, ...): pin its version below, write a `build_<tool>` function that
# calls `build_go_tool` (or does its own build) into "$(tool_path <tool> <version>)", and add it to TOOLS.
# The TypeScript side resolves the same paths in local/tool-paths.ts; keep the versions in step.
set -euo pipefail

HOVERFLY_VERSION=v1.12.10 # the only version the module proxy serves here (probe: go list -m -versions ...)

TOOLS=(hoverfly)

CACHE_DIR="${LTC_CACHE_DIR:-$HOME/.cache/load-test-conductor}"
BIN_DIR="$CACHE_DIR/bin"
export GOTOOLCHAIN=local CGO_ENABLED=0

log() { printf '[build-go-tools] %s\n' "$*" >&2; }

WORK_DIRS=()
cleanup() { ((${#WORK_DIRS[@]})) && rm -rf "${WORK_DIRS[@]}"; return 0; }
trap cleanup EXIT

tool_path() { printf '%s/%s-%s' "$BIN_DIR" "$1" "$2"; }

# build_go_tool <name> <version> <package> [ldflags]: build <package>@<version> into "$(tool_path name version)"
# from a throw-away wrapper module (`go get` + `go build`), then move the binary into place atomically.
# A wrapper module rather than `go install pkg@version`: `go install` also asks the proxy for the module's
# version list (to print deprecations), which the proxy here refuses for some modules (403), while `go get`
# of the pinned version works. It is also the shape the Kubernetes binaries need (a later `build_*` can
# `go mod edit -replace` the staging modules between the two steps; see notes/test-infrastructure.md).
build_go_tool() {
  local name=$1 version=$2 pkg=$3 ldflags=${4:-}
  local dest work started
  dest=$(tool_path "$name" "$version")
  if [[ -x "$dest" ]]; then
    log "$name $version: present"
    echo "$dest"
    return 0
  fi
  mkdir -p "$BIN_DIR"
  work=$(mktemp -d "$CACHE_DIR/build-$name.XXXXXX")
  WORK_DIRS+=("$work")
  started=$SECONDS
  log "$name $version: building $pkg (a cold build takes a few minutes)"
  (
    cd "$work"
    printf 'module local/build-%s\n\ngo 1.24\n' "$name" >go.mod
    go get "$pkg@$version" >&2
    go build -trimpath -ldflags "-s -w $ldflags" -o "$work/$name" "$pkg" >&2
  )
  mv -f "$work/$name" "$dest"
  log "$name $version: built in $((SECONDS - started)) s -> $dest"
  echo "$dest"
}

build_hoverfly() {
  build_go_tool hoverfly "$HOVERFLY_VERSION" github.com/SpectoLabs/hoverfly/core/cmd/hoverfly
}

main() {
  command -v go >/dev/null || {
    log "go is not on PATH (Go >= 1.26.4 is needed: hoverfly $HOVERFLY_VERSION requires it)"
    exit 1
  }
  local wanted=("$@")
  ((${#wanted[@]})) || wanted=("${TOOLS[@]}")
  local tool
  for tool in "${wanted[@]}"; do
    if ! declare -F "build_$tool" >/dev/null; then
      log "unknown tool '$tool' (known: ${TOOLS[*]})"
      exit 2
    fi
    "build_$tool"
  done
}

main "$@"
