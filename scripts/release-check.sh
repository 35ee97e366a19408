#!/usr/bin/env bash
# A release rehearsal on the committed HEAD, in temporary clones (nothing is
# written to the checkout, nothing is published):
#  1. `goreleaser check` on .goreleaser.yml;
#  2. `goreleaser release --snapshot --clean` in clone A: the files a release
#     publishes, named as the Terraform Registry expects (zips holding
#     terraform-provider-jit_vVERSION and the docs, the manifest, a SHA256SUMS that lists
#     the zips and the manifest only) and jit-gate for the five runner
#     platforms; both binaries print the version and commit the build set;
#  3. `goreleaser build --snapshot --id jit-gate` in clone B, at another path:
#     the same bytes as A's (reproducible builds), then scripts/pin-action.sh
#     pins them in B as the release workflow does (a commit on top of the tag
#     changing only action/jit-gate.sha256, tagged action-TAG; not pushed),
#     after refusing a checksums file that does not match.
# GoReleaser comes from $GORELEASER, else the Go module proxy (cached).
# RELEASE_CHECK_COLD=1 builds B with an empty Go build cache.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
gr=${GORELEASER:-$(scripts/go-tool.sh goreleaser github.com/goreleaser/goreleaser/v2 "${GORELEASER_VERSION:-2.15.1}")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "release-check: $*" >&2
  exit 1
}
step() { echo "--- $*"; }

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "release-check: uncommitted changes are not part of the rehearsal (it builds HEAD $(git rev-parse --short HEAD))" >&2
fi
export GIT_AUTHOR_NAME=release-check GIT_AUTHOR_EMAIL=release-check@localhost
export GIT_COMMITTER_NAME=release-check GIT_COMMITTER_EMAIL=release-check@localhost
clone() {
  git init -q "$1"
  git -C "$1" fetch -q --tags "$repo" HEAD
  git -C "$1" checkout -q FETCH_HEAD
  # GoReleaser reads the remote's URL (never contacts it); without one it
  # drops the commit from the version data.
  git -C "$1" remote add origin https://github.com/jitgate/terraform-provider-jit.git
}

step "goreleaser check"
"$gr" check

step "goreleaser release --snapshot in $work/a"
a="$work/a"
clone "$a"
(cd "$a" && "$gr" release --snapshot --clean --skip=sign)
version=$(jq -er .version "$a/dist/metadata.json")
commit=$(git -C "$a" rev-parse HEAD)
[ "$(jq -er .project_name "$a/dist/metadata.json")" = terraform-provider-jit ] || fail "project_name is not terraform-provider-jit"
provider=terraform-provider-jit_$version

step "provider artifacts for the Terraform Registry ($provider)"
mapfile -t zips < <(cd "$a/dist" && ls "${provider}"_*_*.zip)
[ ${#zips[@]} -ge 10 ] || fail "only ${#zips[@]} provider zips: ${zips[*]}"
for z in "${zips[@]}"; do
  want="terraform-provider-jit_v$version"
  [[ $z == *_windows_* ]] && want="$want.exe"
  # The binary at the top, beside the README, LICENSE and CHANGELOG.
  got=$(unzip -Z1 "$a/dist/$z" | grep -v -x -e README.md -e LICENSE -e CHANGELOG.md || true)
  [ "$got" = "$want" ] || fail "$z holds '$got' besides the docs, want $want"
done
sums="$a/dist/${provider}_SHA256SUMS"
[ -f "$sums" ] || fail "no ${provider}_SHA256SUMS"
listed=$(awk '{print $2}' "$sums" | LC_ALL=C sort)
expected=$(printf '%s\n' "${zips[@]}" "${provider}_manifest.json" | LC_ALL=C sort)
[ "$listed" = "$expected" ] || fail "SHA256SUMS must list the zips and the manifest only; it lists: $listed"
(cd "$a/dist" && grep -v '_manifest.json$' "$sums" | sha256sum --quiet -c -) || fail "SHA256SUMS does not match the zips"
manifest_sum=$(sha256sum "$a/terraform-registry-manifest.json" | cut -d' ' -f1)
grep -q "^$manifest_sum  ${provider}_manifest.json\$" "$sums" || fail "SHA256SUMS has the wrong checksum for the manifest"
[ "$(jq -c .metadata.protocol_versions "$a/terraform-registry-manifest.json")" = '["6.0"]' ] || fail "the manifest must say protocol 6.0"

step "jit-gate binaries for the runner platforms"
published="$work/jit-gate_${version}_SHA256SUMS"
scripts/jit-gate-sums.sh "$a/dist" >"$published"
cat "$published"
names=$(awk '{print $2}' "$published")
want=$(printf "jit-gate_${version}_%s\n" darwin_amd64 darwin_arm64 linux_amd64 linux_arm64 windows_amd64.exe)
[ "$names" = "$want" ] || fail "jit-gate binaries are: $names; want: $want"
uploaded=$(jq -r '.[] | select(.extra.ID == "jit-gate" and .extra.Format == "binary") | .name' "$a/dist/artifacts.json" | LC_ALL=C sort)
[ "$uploaded" = "$want" ] || fail "the release uploads jit-gate as: $uploaded; the checksums name: $want"

if [ "$(go env GOOS)/$(go env GOARCH)" = linux/amd64 ]; then
  step "version, commit and date set by the release build"
  gate=$(jq -r '.[] | select(.extra.Builder == "go" and .extra.ID == "jit-gate" and .goos == "linux" and .goarch == "amd64") | .path' "$a/dist/artifacts.json")
  prov=$(jq -r '.[] | select(.extra.Builder == "go" and .extra.ID == "provider" and .goos == "linux" and .goarch == "amd64") | .path' "$a/dist/artifacts.json")
  for out in "$("$a/$gate" version)" "$("$a/$prov" -version)"; do
    echo "$out"
    [[ $out == *" $version (commit $commit, built 20"* ]] || fail "'$out' does not carry version $version and commit $commit"
  done
fi

step "reproducible: jit-gate rebuilt in $work/b/elsewhere"
b="$work/b/elsewhere"
clone "$b"
cold=()
[ -n "${RELEASE_CHECK_COLD:-}" ] && cold=(GOCACHE="$work/gocache")
(cd "$b" && env "${cold[@]}" "$gr" build --snapshot --clean --id jit-gate)
git -C "$b" tag "v$version"

step "pin-action refuses checksums the rebuild does not match"
sed '1s/^./x/' "$published" >"$work/tampered"
if (cd "$b" && scripts/pin-action.sh "v$version" "$work/tampered" dist) 2>"$work/refusal"; then
  fail "pin-action pinned checksums that do not match the rebuilt binaries"
fi
grep -q "are not what v$version builds" "$work/refusal" || fail "pin-action refused for another reason: $(cat "$work/refusal")"

step "pin-action pins the rebuilt binaries"
(cd "$b" && scripts/pin-action.sh "v$version" "$published" dist)
changed=$(git -C "$b" diff --name-only "v$version" "action-v$version")
[ "$changed" = action/jit-gate.sha256 ] || fail "the pin commit changes: $changed"
[ "$(git -C "$b" rev-parse "action-v$version^")" = "$commit" ] || fail "the pin commit's parent is not the tag's commit"
git -C "$b" show "action-v$version:action/jit-gate.sha256" | cmp -s - "$published" || fail "the pinned checksums differ from the published ones"

echo "release-check: passed (version $version, $(wc -l <"$published") jit-gate binaries, ${#zips[@]} provider zips)"
