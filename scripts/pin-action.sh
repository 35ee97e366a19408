#!/usr/bin/env bash
# The release workflow's last step: pins a release's jit-gate binaries in the
# action. Run at the tag's commit after `goreleaser build --id jit-gate` has
# rebuilt jit-gate into DIST; PUBLISHED is the jit-gate_VERSION_SHA256SUMS
# that the release published.
#  1. Refuses (exit 1) unless the rebuilt binaries are byte for byte the
#     published ones: what the action will run is what the tag's source builds.
#  2. Commits PUBLISHED as action/jit-gate.sha256 on top of the tag's commit
#     (on no branch), tags that commit action-TAG, and, unless TAG is a
#     pre-release (vX.Y.Z-...), moves $ACTION_MAJOR (default v1) to it.
#  3. With --push, pushes those tags to origin.
# Usage: scripts/pin-action.sh [--push] TAG PUBLISHED DIST
set -euo pipefail
push=false
if [ "${1:-}" = --push ]; then
  push=true
  shift
fi
if [ $# -ne 3 ]; then
  echo "usage: $0 [--push] TAG PUBLISHED DIST" >&2
  exit 2
fi
tag=$1 published=$2 dist=$3
version=${tag#v}
major=${ACTION_MAJOR:-v1}
fail() {
  echo "pin-action: $*" >&2
  exit 1
}

[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || fail "$tag is not a provider release tag vX.Y.Z[-pre]"
[ "$(git rev-parse HEAD)" = "$(git rev-parse "$tag^{commit}")" ] || fail "HEAD is not $tag's commit"
rebuilt=$(scripts/jit-gate-sums.sh "$dist")
if ! diff -u "$published" <(printf '%s\n' "$rebuilt") >&2; then
  fail "the jit-gate binaries published for $tag are not what $tag builds (diff above, published first): nothing pinned"
fi
if grep -qv "^[0-9a-f]\{64\}  jit-gate_${version}_" "$published"; then
  fail "$published has entries for another version than $version"
fi

cp "$published" action/jit-gate.sha256
git add action/jit-gate.sha256
git commit -q -m "action: pin the jit-gate $version binaries" \
  -m "The action at this commit downloads jit-gate $version and runs it only if its SHA-256 is listed here. Rebuilt from $tag and compared with the published binaries before pinning."
git tag -a "action-$tag" -m "Action for jit-gate $version (provider release $tag)"
refs=("refs/tags/action-$tag")
if [[ $version != *-* ]]; then
  git tag -f "$major" HEAD >/dev/null
  refs+=("+refs/tags/$major") # moves: a forced update of that one tag
fi
echo "pinned jit-gate $version at $(git rev-parse --short HEAD), tagged action-$tag$([[ $version == *-* ]] || echo " and $major")"
if $push; then
  git push origin "${refs[@]}"
fi
