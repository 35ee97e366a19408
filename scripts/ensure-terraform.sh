#!/usr/bin/env bash
# Prints the path of a Terraform binary of the wanted version: the
# `terraform` on PATH when it is that version (CI's setup-terraform), else
# one built from the Go module proxy the first time (about 4 minutes on 2
# cores) and reused afterwards. Usage: scripts/ensure-terraform.sh [VERSION]
# `go install` builds Terraform up to 1.8.x only; scripts/testacc-matrix.sh
# takes newer ones from PATH.
set -euo pipefail
here=$(dirname "$0")
version="${1:-${TF_VERSION:-1.8.5}}"
if onpath=$(command -v terraform) && [ "$("$here/cli-version.sh" "$onpath" || true)" = "$version" ]; then
  echo "$onpath"
  exit 0
fi
exec "$here/go-tool.sh" terraform github.com/hashicorp/terraform "$version"
