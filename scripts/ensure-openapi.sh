#!/usr/bin/env bash
# Prints the path of GitHub's REST API description, api.github.com.json from
# the npm package @octokit/openapi (which packages github/rest-api-description)
# at a pinned version, installing it with npm into the tool cache the first
# time and reusing it afterwards. Usage: scripts/ensure-openapi.sh [VERSION]
set -euo pipefail
version="${1:-${OPENAPI_VERSION:-23.0.2}}"
dir="${JIT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/jit-tools}/openapi-${version}"
file="$dir/node_modules/@octokit/openapi/generated/api.github.com.json"
if [ ! -s "$file" ]; then
  if ! command -v npm >/dev/null; then
    echo "npm is needed to install @octokit/openapi (.ci/run installs it; or apt-get install npm)" >&2
    exit 1
  fi
  echo "installing @octokit/openapi@${version} with npm into ${dir} (first run only)..." >&2
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  npm install --prefix "$dir.partial" --no-audit --no-fund --ignore-scripts --loglevel=error "@octokit/openapi@${version}" >&2
  # Only api.github.com's description is used; the GHES and dereferenced
  # variants are another 370 MB.
  find "$dir.partial/node_modules/@octokit/openapi/generated" -type f ! -name api.github.com.json -delete
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
fi
echo "$file"
