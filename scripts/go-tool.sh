#!/usr/bin/env bash
# Prints the path of a Go-installable tool at a fixed version, installing it
# from the Go module proxy into ~/.cache/jit-tools/NAME-VERSION (VERSION as
# given, with or without its v) the first time and reusing it afterwards.
# Usage: scripts/go-tool.sh NAME PACKAGE VERSION
# e.g. scripts/go-tool.sh goreleaser github.com/goreleaser/goreleaser/v2 2.15.1
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 NAME PACKAGE VERSION" >&2
  exit 2
fi
name=$1 pkg=$2 version=$3
dir="${JIT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/jit-tools}/${name}-${version}"
bin="$dir/$name"
if [ ! -x "$bin" ]; then
  echo "installing ${name} ${version} from the Go module proxy into ${dir} (first run only)..." >&2
  mkdir -p "$dir"
  # Outside any module, and with the caller's GOFLAGS (-mod=vendor, say) set
  # aside: the tool builds from its own go.mod.
  (cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod GOBIN="$dir" go install "${pkg}@v${version#v}") >&2
fi
echo "$bin"
