#!/usr/bin/env bash
# Build the Go tools that the local environment and the e2e tests run, once, into a cache OUTSIDE the repo:
#
#   ${LTC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/load-test-conductor}/bin/<tool>-<version>
#
# Idempotent: a tool whose binary is already there is not rebuilt. Prints one binary path per line on stdout
# (progress goes to stderr, a line every 30 s while Go compiles; Go's own output goes to a log that is shown
# when a build fails), so callers can do `HOVERFLY=$(scripts/build-go-tools.sh hoverfly)`.
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
ETCD_VERSION=v3.6.16       # newest 3.6.x the proxy serves (go list -m -versions go.etcd.io/etcd/server/v3)
KUBERNETES_VERSION=v1.34.4 # kube-apiserver, kube-controller-manager, kube-scheduler; staging modules v0.34.4
KWOK_VERSION=v0.8.0        # kwok (simulated nodes and kubelets) + its stage files

TOOLS=(hoverfly etcd kubernetes kwok)

CACHE_DIR="${LTC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/load-test-conductor}"
BIN_DIR="$CACHE_DIR/bin"
export GOTOOLCHAIN=local CGO_ENABLED=0

log() { printf '[build-go-tools] %s\n' "$*" >&2; }

WORK_DIRS=()
cleanup() { ((${#WORK_DIRS[@]})) && rm -rf "${WORK_DIRS[@]}"; return 0; }
trap cleanup EXIT

tool_path() { printf '%s/%s-%s' "$BIN_DIR" "$1" "$2"; }

# quietly <label> <log> <command...>: run the command with its output appended to <log>, print a progress
# line every 30 s while it runs, and the log's last lines when it fails.
quietly() {
  local label=$1 log=$2 started=$SECONDS pid status
  shift 2
  "$@" >>"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in {1..30}; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -0 "$pid" 2>/dev/null && log "$label: still working ($((SECONDS - started)) s)"
  done
  wait "$pid" && status=0 || status=$?
  if ((status != 0)); then
    log "$label failed (exit $status); the end of $log:"
    tail -n 30 "$log" >&2
  fi
  return "$status"
}

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
    quietly "$name: downloading modules" "$work/build.log" go get "$pkg@$version"
    log "$name: compiling"
    quietly "$name: compiling" "$work/build.log" go build -trimpath -ldflags "-s -w $ldflags" -o "$work/$name" "$pkg"
  )
  mv -f "$work/$name" "$dest"
  log "$name $version: built in $((SECONDS - started)) s -> $dest"
  echo "$dest"
}

build_hoverfly() {
  build_go_tool hoverfly "$HOVERFLY_VERSION" github.com/SpectoLabs/hoverfly/core/cmd/hoverfly
}

build_etcd() {
  build_go_tool etcd "$ETCD_VERSION" go.etcd.io/etcd/server/v3
}

# kube-apiserver, kube-controller-manager and kube-scheduler from k8s.io/kubernetes. Its go.mod replaces the
# staging modules with ./staging/..., so the wrapper module replaces each of them (read from the downloaded
# go.mod, not hard-coded) with its published tag v0.<minor>.<patch> (kubernetes#79384).
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler)
build_kubernetes() {
  local version=$KUBERNETES_VERSION mp=${KUBERNETES_VERSION#v1.}
  local b missing=0 work started gomod m ldf p pkgs=()
  for b in "${K8S_BINARIES[@]}"; do [[ -x "$(tool_path "$b" "$version")" ]] || missing=1; done
  if ((missing == 0)); then
    log "kubernetes $version: present"
    for b in "${K8S_BINARIES[@]}"; do tool_path "$b" "$version"; echo; done
    return 0
  fi
  mkdir -p "$BIN_DIR"
  work=$(mktemp -d "$CACHE_DIR/build-kubernetes.XXXXXX")
  WORK_DIRS+=("$work")
  started=$SECONDS
  log "kubernetes $version: building ${K8S_BINARIES[*]} (a cold build takes 10-20 minutes on 2 cores)"
  for b in "${K8S_BINARIES[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  (
    cd "$work"
    printf 'module local/build-kubernetes\n\ngo 1.24.0\n\ngodebug default=go1.24\n' >go.mod
    gomod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    [[ -f "$gomod" ]] || { log "could not download k8s.io/kubernetes@$version"; exit 1; }
    for m in $(sed -n 's|^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*|\1|p' "$gomod"); do
      go mod edit "-replace=$m=$m@v0.$mp"
    done
    quietly "kubernetes: downloading modules" "$work/build.log" go get "k8s.io/kubernetes@$version"
    printf 'package tools\n\nimport (\n' >tools.go
    for p in "${pkgs[@]}"; do printf '\t_ "%s"\n' "$p" >>tools.go; done
    printf ')\n' >>tools.go
    sed -i '1i //go:build tools\n' tools.go
    quietly "kubernetes: resolving modules" "$work/build.log" env GOFLAGS=-mod=mod go mod tidy
    ldf="-s -w"
    for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
      ldf="$ldf -X $p.gitVersion=$version -X $p.gitMajor=1 -X $p.gitMinor=${mp%%.*} -X $p.gitTreeState=clean"
    done
    mkdir -p out
    log "kubernetes: compiling"
    quietly "kubernetes: compiling" "$work/build.log" env GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldf" -o out/ "${pkgs[@]}"
  )
  for b in "${K8S_BINARIES[@]}"; do
    mv -f "$work/out/$b" "$(tool_path "$b" "$version")"
  done
  log "kubernetes $version: built in $((SECONDS - started)) s"
  for b in "${K8S_BINARIES[@]}"; do tool_path "$b" "$version"; echo; done
}

# kwok has no built-in stages: build_kwok also writes the stage file the local cluster needs
# ($CACHE_DIR/share/kwok-stages-<version>.yaml) from the stage manifests shipped in the module.
KWOK_STAGES=(node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml)
build_kwok() {
  local stages="$CACHE_DIR/share/kwok-stages-$KWOK_VERSION.yaml" dir f tmp
  build_go_tool kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
  [[ -s "$stages" ]] && return 0
  mkdir -p "$CACHE_DIR/share"
  dir=$(cd "$CACHE_DIR" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" |
    sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  tmp=$(mktemp "$CACHE_DIR/share/kwok-stages.XXXXXX")
  for f in "${KWOK_STAGES[@]}"; do
    [[ -f "$dir/kustomize/stage/$f" ]] || { log "kwok stage file missing: $dir/kustomize/stage/$f"; exit 1; }
    printf -- '---\n' >>"$tmp"
    cat "$dir/kustomize/stage/$f" >>"$tmp"
  done
  mv -f "$tmp" "$stages"
  log "kwok stages -> $stages"
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
