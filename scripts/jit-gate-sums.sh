#!/usr/bin/env bash
# Prints the SHA-256 of every jit-gate binary GoReleaser built into DIST, in
# sha256sum's format, under the names the release publishes them with
# (jit-gate_VERSION_OS_ARCH[.exe], the jit-gate archive in .goreleaser.yml).
# The release workflow publishes this as jit-gate_VERSION_SHA256SUMS, and the
# action's release tags carry it as action/jit-gate.sha256.
# Reads DIST/artifacts.json and DIST/metadata.json, so it works after
# `goreleaser release` and after `goreleaser build` alike.
# Usage: scripts/jit-gate-sums.sh [DIST]
set -euo pipefail
dist=${1:-dist}
# Artifact paths are relative to the directory GoReleaser ran in.
root=$(cd "$dist/.." && pwd)
version=$(jq -er .version "$dist/metadata.json")
sums=$(jq -r '.[] | select(.extra.ID == "jit-gate" and .extra.Builder == "go")
    | [.path, .goos, .goarch, (.extra.Ext // "")] | @tsv' "$dist/artifacts.json" |
  while IFS=$'\t' read -r path goos goarch ext; do
    case "$path" in /*) ;; *) path="$root/$path" ;; esac
    sum=$(sha256sum "$path")
    printf '%s  jit-gate_%s_%s_%s%s\n' "${sum%% *}" "$version" "$goos" "$goarch" "$ext"
  done | LC_ALL=C sort -k2)
if [ -z "$sums" ]; then
  echo "jit-gate-sums: no jit-gate binaries in $dist/artifacts.json" >&2
  exit 1
fi
printf '%s\n' "$sums"
