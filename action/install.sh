#!/usr/bin/env bash
# Puts jit-gate at $RUNNER_TEMP/jit-gate (jit-gate.exe on Windows) for the
# action's later steps, and writes its path to the step's outputs.
#
# install=release (default): downloads the released binary that this ref of
# the action pins, and runs it only if its SHA-256 is the one committed in
# action/jit-gate.sha256 beside this script. The file is written by the
# release workflow and exists only on the action's release tags (v1,
# action-vX.Y.Z), so whoever pins the action's commit pins the bytes that run;
# where the download comes from does not matter.
# install=source: builds jit-gate from the action's own checkout with the Go
# on PATH (actions/setup-go), as reviewed at the pinned ref.
#
# Environment (set by action.yml from its inputs): JIT_GATE_INSTALL,
# JIT_GATE_RELEASE_URL (base URL; default: this action repository's GitHub
# releases), JIT_GATE_ACTION_REPOSITORY, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP.
# Exit 2, with an ::error:: line, on anything that is not a verified binary.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

fail() {
  echo "::error title=jit-gate install::$*"
  exit 2
}

: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
ext=""
[ "${RUNNER_OS:-}" = Windows ] && ext=".exe"
bin="$RUNNER_TEMP/jit-gate$ext"
# A failed install leaves nothing that a later step could run instead.
rm -f "$bin"

case "${JIT_GATE_INSTALL:-release}" in
source)
  command -v go >/dev/null 2>&1 ||
    fail "install: source needs Go on the runner; add actions/setup-go (Go 1.25.8 or newer) before this action, or use install: release"
  (cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$bin" ./cmd/jit-gate) ||
    fail "building jit-gate from the action's source failed"
  ;;
release)
  case "${RUNNER_OS:-}" in
  Linux) os=linux ;;
  macOS) os=darwin ;;
  Windows) os=windows ;;
  *) fail "no released jit-gate for runner OS '${RUNNER_OS:-}'; use install: source" ;;
  esac
  case "${RUNNER_ARCH:-}" in
  X64) arch=amd64 ;;
  ARM64) arch=arm64 ;;
  *) fail "no released jit-gate for runner architecture '${RUNNER_ARCH:-}'; use install: source" ;;
  esac
  sums="$here/jit-gate.sha256"
  [ -f "$sums" ] ||
    fail "this ref of the action pins no released jit-gate (action/jit-gate.sha256 is missing: only the action's release tags v1 and action-vX.Y.Z carry it). Use one of those tags (or its commit), or set install: source"
  # Lines are "<sha256>  jit-gate_<version>_<os>_<arch>[.exe]", as sha256sum writes them.
  line=$(grep -E "^[0-9a-f]{64}  jit-gate_[0-9A-Za-z.+-]+_${os}_${arch}${ext//./\\.}\$" "$sums" || true)
  [ -n "$line" ] ||
    fail "action/jit-gate.sha256 has no checksum for ${os}/${arch}: this release has no jit-gate for this runner; use install: source"
  [ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] ||
    fail "action/jit-gate.sha256 has more than one checksum for ${os}/${arch}"
  want=${line%%  *}
  asset=${line#*  }
  version=${asset#jit-gate_}
  version=${version%_"${os}"_"${arch}${ext}"}
  base=${JIT_GATE_RELEASE_URL:-${GITHUB_SERVER_URL:-https://github.com}/${JIT_GATE_ACTION_REPOSITORY:?JIT_GATE_ACTION_REPOSITORY is not set}/releases/download}
  url="${base%/}/v${version}/${asset}"
  tmp="$bin.download"
  rm -f "$tmp"
  curl --fail --silent --show-error --location --retry 3 --connect-timeout 10 --max-time 120 \
    --output "$tmp" "$url" || { rm -f "$tmp"; fail "downloading ${url} failed"; }
  if command -v sha256sum >/dev/null 2>&1; then
    got=$(sha256sum "$tmp")
  else
    got=$(shasum -a 256 "$tmp")
  fi
  got=${got%% *}
  if [ "$got" != "$want" ]; then
    rm -f "$tmp"
    fail "refusing ${url}: its SHA-256 is ${got}, but this ref of the action pins ${want} for ${asset}. The download is not the released jit-gate ${version}."
  fi
  chmod +x "$tmp"
  mv -f "$tmp" "$bin"
  ;;
*)
  fail "input install must be \"release\" or \"source\", got \"${JIT_GATE_INSTALL}\""
  ;;
esac

"$bin" version || fail "the installed jit-gate does not run on this runner"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "path=$bin" >>"$GITHUB_OUTPUT"
fi
