#!/usr/bin/env bash
# Runs the tests that drive a real Terraform (acceptance tests, end-to-end
# tests, the audit tests on real state) once per Terraform CLI:
#   terraform 1.5.7 and 1.8.5   built by scripts/ensure-terraform.sh;
#   the newest terraform        the `terraform` on PATH (or $TF_NEWEST) when it
#                               is newer than 1.8.5: `go install` cannot build
#                               1.9 and later, so the machine has to bring it;
#   OpenTofu $TOFU_VERSION      built by scripts/ensure-tofu.sh.
# Prints one line per CLI with its result and time, and exits 1 if any failed.
# A CLI that cannot be had here (no newer terraform, OpenTofu does not build)
# is reported as skipped with the reason, not as a pass.
#
# Usage: scripts/testacc-matrix.sh [NAME...]   NAME: 1.5.7, 1.8.5, newest, tofu
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
# As the GNUmakefile does: no checkpoint calls, and a CLI configuration of
# our own so a developer's ~/.terraformrc never leaks in.
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE="$PWD/scripts/empty.tfrc"

TOFU_VERSION=${TOFU_VERSION:-1.12.6}
floor=1.8.5
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(1.5.7 1.8.5 newest tofu)

# Packages whose tests run Terraform: those that read TF_ACC.
mapfile -t pkgs < <(git grep -l 'TF_ACC' -- '*_test.go' | xargs -n1 dirname | sort -u | sed 's|^|./|')

newer_than() { # is $1 a later version than $2?
  [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" = "$1" ]
}

results=()
failed=0
record() { # name version result seconds
  results+=("$(printf '%-7s %-10s %-36s %5ss' "$1" "$2" "$3" "$4")")
}

for name in "${wanted[@]}"; do
  extra_env=()
  case "$name" in
  newest)
    cli=${TF_NEWEST:-$(command -v terraform || true)}
    if [ -z "$cli" ]; then
      record newest - "skipped: no terraform on PATH" 0
      continue
    fi
    v=$(scripts/cli-version.sh "$cli")
    if ! newer_than "$v" "$floor"; then
      record newest "$v" "skipped: $cli is not newer than $floor" 0
      continue
    fi
    ;;
  tofu)
    if ! cli=$(scripts/ensure-tofu.sh "$TOFU_VERSION"); then
      record tofu "$TOFU_VERSION" "skipped: OpenTofu did not build" 0
      continue
    fi
    # terraform-plugin-testing names the provider under test
    # HOST/NAMESPACE/jit (default registry.terraform.io/hashicorp): under
    # OpenTofu its registry host, as opentofu/setup-opentofu sets them.
    extra_env=(TF_ACC_PROVIDER_NAMESPACE=hashicorp TF_ACC_PROVIDER_HOST=registry.opentofu.org)
    ;;
  [0-9]*)
    cli=$(scripts/ensure-terraform.sh "$name") || {
      record "$name" "$name" "FAILED: could not build" 0
      failed=1
      continue
    }
    ;;
  *)
    echo "testacc-matrix: unknown CLI $name (want 1.5.7, 1.8.5, newest or tofu)" >&2
    exit 2
    ;;
  esac
  v=$(scripts/cli-version.sh "$cli")
  echo "=== ${name}: $cli (${v}) ==="
  start=$SECONDS
  if env "${extra_env[@]}" TF_ACC=1 TF_ACC_TERRAFORM_PATH="$cli" \
    go test -count=1 -timeout 40m "${pkgs[@]}"; then
    record "$name" "$v" "passed" $((SECONDS - start))
  else
    record "$name" "$v" "FAILED" $((SECONDS - start))
    failed=1
  fi
done

echo
echo "Terraform CLI matrix (packages: ${pkgs[*]}):"
printf '%s\n' "${results[@]}"
exit $failed
