# shellcheck shell=bash
# Helpers for bench/run.sh (sourced, not run): the fake GitHub, the Terraform
# configurations the benchmark plans, and the plan cache.
# Expects: ROOT, WORK, BIN, TF (terraform binary), and `set -euo pipefail`.

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- fake GitHub -------------------------------------------------------------

FAKE_PID=""
FAKE_URL=""

# start_fake runs cmd/fake-github on a free loopback port. The caller's EXIT
# trap calls stop_fake, so no server outlives the run.
start_fake() {
  local out="$WORK/fake.url"
  rm -f "$out"
  "$BIN/fake-github" -addr 127.0.0.1:0 >"$out" 2>"$WORK/fake.log" &
  FAKE_PID=$!
  local _
  for _ in $(seq 100); do
    if [ -s "$out" ]; then
      FAKE_URL=$(head -n1 "$out")
      return 0
    fi
    kill -0 "$FAKE_PID" 2>/dev/null || break
    sleep 0.05
  done
  log "fake-github did not start:"; cat "$WORK/fake.log" >&2
  return 1
}

stop_fake() {
  if [ -n "$FAKE_PID" ]; then
    kill "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
    FAKE_PID=""
  fi
}

# fake METHOD PATH [BODY]: one admin call (BODY is JSON, or @FILE); fails on
# any non-2xx answer.
fake() {
  local method=$1 path=$2 body=${3:-}
  if [ -n "$body" ]; then
    curl -fsS -X "$method" -H 'Content-Type: application/json' --data-binary "$body" "${FAKE_URL%/}$path"
  else
    curl -fsS -X "$method" "${FAKE_URL%/}$path"
  fi
}

# Restart the fake with a fresh seed: every scenario starts from the same state.
reset_fake() {
  stop_fake
  start_fake
  fake POST /_fake/load "@$WORK/seed.json" >/dev/null
}

# write_seed: the orgs, teams, users, the repositories the elevations name
# (other/svcN too: out of the policies' scopes, but the provider checks while
# planning that each exists),
# the trusted settings on main and the reviewed pull request (based on main)
# that every scenario uses. Every principal is an org member, so team grants
# are active at once (not invitations).
write_seed() {
  jq -n '
    ([range(0; 200) | "user\(.)"]) as $users
    | {
      users: ($users + ["jit-bot", "carol", "octo-security", "sre1", "sre2"]),
      tokens: {"bench-token": "jit-bot"},
      orgs: [{
        name: "acme",
        members: ({"jit-bot": "admin", "carol": "member", "octo-security": "member", "sre1": "member", "sre2": "member"}
                  + ([$users[] | {key: ., value: "member"}] | from_entries)),
        teams: ([{slug: "sre-leads", members: {"sre1": "member", "sre2": "maintainer"}}]
                + [range(0; 5) | {slug: "team\(.)"}])
      }, {name: "other", members: {"jit-bot": "admin"}}],
      repos: ([range(0; 20) | {owner: "acme", name: "svc\(.)"}, {owner: "other", name: "svc\(.)"}] + [{
        owner: "acme", name: "infra",
        commits: [{sha: "b0a5e00000000000000000000000000000000001", branch: "main", author: "carol",
                   files: {".github/jit-gate.yml": "governance_approvers: [\"team:acme/sre-leads\"]\nallow_types: [terraform_data]\n"}}],
        pulls: [{
          number: 1, author: "carol", title: "Elevations for the benchmark",
          commits: [{sha: "c0ffee0000000000000000000000000000000001", author: "carol", committer: "carol"}],
          reviews: [{login: "octo-security", state: "APPROVED"}, {login: "sre1", state: "APPROVED"}]
        }]
      }])
    }' >"$WORK/seed.json"
}

# --- Terraform configurations ------------------------------------------------

# The provider reads GITHUB_TOKEN and GITHUB_API_URL, so the configurations
# (and their cache keys) do not depend on the fake's port.
tf_header() {
  cat <<'EOF'
terraform {
  required_providers {
    jit       = { source = "jitgate/jit" }
    benchnull = { source = "jitgate/benchnull" }
  }
}

provider "jit" {}
EOF
}

# Two policies the elevations of the size plans use.
tf_policies() {
  cat <<'EOF'

resource "jit_optout_policy" "admin" {
  name               = "bench-admin"
  description        = "Short admin access to acme repositories."
  scopes             = ["github:repo:acme/*:admin", "github:team:acme/*"]
  max_duration       = "4h"
  required_approvals = 2
  approvers          = ["team:acme/sre-leads", "octo-security"]
  reason {
    min_length = 30
  }
}

resource "jit_optout_policy" "push" {
  name               = "bench-push"
  scopes             = ["github:repo:acme/*:push"]
  max_duration       = "8h"
  required_approvals = 1
  approvers          = ["octo-security"]
}
EOF
}

# tf_elevations COUNT [TYPE]: requests under the two policies. One in ten
# asks for a scope outside its policy and one in ten gives a short reason, so
# the threshold rules have something to find in every tool. TYPE
# benchnull_elevation gives the same values to bench/nullprovider.
tf_elevations() {
  [ "$1" -gt 0 ] || return 0
  cat <<EOF

resource "${2:-jit_elevation}" "e" {
  count     = $1
  policy_id = count.index % 2 == 0 ? jit_optout_policy.admin.id : jit_optout_policy.push.id
  principal = "user\${count.index % 200}"
  scope = (count.index % 10 == 7 ? "github:repo:other/svc\${count.index % 20}:admin"
    : count.index % 2 == 0 ? "github:repo:acme/svc\${count.index % 20}:admin"
  : "github:repo:acme/svc\${count.index % 20}:push")
  reason   = count.index % 10 == 3 ? "quick fix" : "Investigate incident INC-\${1000 + count.index} in production, then hand back."
  duration = ["1h", "2h", "4h"][count.index % 3]
  ticket   = "INC-\${1000 + count.index}"
}
EOF
}

# tf_data COUNT: unrelated resources, the bulk of a real plan.
tf_data() {
  [ "$1" -gt 0 ] || return 0
  cat <<EOF

resource "terraform_data" "d" {
  count = $1
  input = {
    name   = "service-\${count.index}"
    team   = "team-\${count.index % 17}"
    tier   = ["web", "api", "worker", "batch"][count.index % 4]
    ports  = [8000 + count.index % 100, 9000 + count.index % 100]
    labels = { env = "prod", cost_center = "cc-\${count.index % 13}", owner = "owner\${count.index % 50}@example.com" }
  }
}
EOF
}

# --- plans -------------------------------------------------------------------

# tf_env runs Terraform against the locally built provider (dev_overrides:
# no init, no registry) and the fake.
tf_env() {
  TF_CLI_CONFIG_FILE="$WORK/dev.tfrc" GITHUB_TOKEN=bench-token GITHUB_API_URL="$FAKE_URL" \
    TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 "$@"
}

# write_tfrc [FILE] [JIT_DIR]: the CLI configuration; the jit provider comes
# from JIT_DIR (default $BIN), benchnull from $BIN.
write_tfrc() {
  cat >"${1:-$WORK/dev.tfrc}" <<EOF
provider_installation {
  dev_overrides {
    "jitgate/jit"       = "${2:-$BIN}"
    "jitgate/benchnull" = "$BIN"
  }
  direct {}
}
EOF
}

# make_plan NAME < main.tf: prints the path of `terraform show -json` of a
# create-only plan of the configuration on stdin. Plans are cached under
# $WORK/plans by a hash of the configuration and the Terraform version, so
# only a changed configuration is planned again (BENCH_REPLAN=1 forces it).
make_plan() {
  local name=$1 config key dir
  config=$(cat)
  key=$( { printf '%s\n' "$config"; tf_env "$TF" version -json | jq -r .terraform_version; } | sha256sum | cut -c1-16)
  dir="$WORK/plans/$name-$key"
  if [ -s "$dir/plan.json" ] && [ -z "${BENCH_REPLAN:-}" ]; then
    echo "$dir/plan.json"
    return 0
  fi
  log "planning $name (Terraform; cached afterwards in $dir)"
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '%s\n' "$config" >"$dir/main.tf"
  (
    cd "$dir" || exit
    tf_env "$TF" plan -input=false -no-color -out=tfplan >plan.log 2>&1 || { cat plan.log >&2; exit 1; }
    tf_env "$TF" show -json tfplan >plan.json.tmp
    mv plan.json.tmp plan.json
    rm -f tfplan
  )
  echo "$dir/plan.json"
}

# --- statistics --------------------------------------------------------------

# median FILE COLUMN: the median of one whitespace-separated column.
median() {
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR]=$1} END {
    if (NR == 0) exit 1
    if (NR % 2) print v[(NR+1)/2]; else printf "%.6f\n", (v[NR/2] + v[NR/2+1]) / 2 }'
}

# ratio A B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
