#!/usr/bin/env bash
# Prints the path of a Terraform binary of the wanted version, building it
# from the Go module proxy the first time (about 4 minutes on 2 cores) and
# reusing it afterwards. Usage: scripts/ensure-terraform.sh [VERSION]
set -euo pipefail
version="${1:-${TF_VERSION:-1.8.5}}"
dir="${JIT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/jit-tools}/terraform-${version}"
bin="$dir/terraform"
if [ ! -x "$bin" ]; then
  echo "installing terraform ${version} from the Go module proxy into ${dir} (first run only)..." >&2
  mkdir -p "$dir"
  GOFLAGS=-mod=mod GOBIN="$dir" go install "github.com/hashicorp/terraform@v${version}" >&2
fi
echo "$bin"
