#!/usr/bin/env bash
# Prints the path of an OpenTofu binary of the wanted version: the `tofu` on
# PATH when it is that version (CI's setup-opentofu), else one built from its
# module source the first time (about 6 minutes on 2 cores) and reused.
# `go install` refuses OpenTofu (its go.mod has replace directives), but the
# module's own tree builds with `go build ./cmd/tofu`, so build in a writable
# copy of it. Usage: scripts/ensure-tofu.sh [VERSION]
set -euo pipefail
version="${1:-${TOFU_VERSION:-1.12.6}}"
dir="${JIT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/jit-tools}/tofu-${version}"
bin="$dir/tofu"
if onpath=$(command -v tofu) && [ "$("$(dirname "$0")/cli-version.sh" "$onpath" || true)" = "$version" ]; then
  echo "$onpath"
  exit 0
fi
if [ ! -x "$bin" ]; then
  echo "building OpenTofu ${version} from the Go module proxy into ${dir} (first run only)..." >&2
  src=$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@v${version}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [ -z "$src" ]; then
    echo "ensure-tofu: could not download github.com/opentofu/opentofu@v${version}" >&2
    exit 2
  fi
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
  cp -R "$src/." "$work/"
  chmod -R u+w "$work"
  mkdir -p "$dir"
  # version.dev=no, as OpenTofu's release builds set it: `tofu version` then
  # says X.Y.Z, not X.Y.Z-dev.
  (cd "$work" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$bin.tmp" ./cmd/tofu) >&2
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
