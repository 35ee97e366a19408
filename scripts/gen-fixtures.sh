#!/usr/bin/env bash
# Regenerates the plan fixtures testdata/plans/CASE.json from the
# configurations in testdata/plans/CASE/ with the real Terraform and provider,
# against the fake GitHub (cmd/fake-github) seeded with testdata/plans/fake-github/seed.json.
# Each case gets a fresh fake and state; before/, where a case has one, is the
# configuration applied before the case's own is planned. integrations/github
# resources are served by a schema-only stand-in (testdata/providers/github-standin).
#
# Usage: scripts/gen-fixtures.sh [CASE...]   (default: every case below)
#
# Timestamps and random ids differ from run to run; nothing else should.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
plans=$root/testdata/plans
terraform=$("$root/scripts/ensure-terraform.sh")
tmp=$(mktemp -d)
fake_pid=
decoy_pid=
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; fi
  if [ -n "$decoy_pid" ]; then kill "$decoy_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

(
  cd "$root"
  go build -o "$tmp/bin/terraform-provider-jit" .
  go build -o "$tmp/bin/fake-github" ./cmd/fake-github
  go build -o "$tmp/bin/terraform-provider-github" ./testdata/providers/github-standin
)
cat >"$tmp/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "jitgate/jit"         = "$tmp/bin"
    "integrations/github" = "$tmp/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE=$tmp/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 GITHUB_TOKEN=test-token
# Outside a workflow run: granted_by_commit stays null.
unset GITHUB_SHA

# Elevations of 3s have certainly expired after this long.
expiry_wait=5

# tf runs terraform in the case's work directory; on failure it shows the log.
tf() {
  if ! "$terraform" -chdir="$work" "$@" -no-color >>"$work/terraform.log" 2>&1; then
    cat "$work/terraform.log" >&2
    exit 1
  fi
}

# serve NAME: starts a fake GitHub and prints its URL; its pid is in $tmp/NAME.pid.
serve() {
  rm -f "$tmp/$1.url"
  "$tmp/bin/fake-github" -addr 127.0.0.1:0 -seed "$plans/fake-github/seed.json" >"$tmp/$1.url" &
  echo $! >"$tmp/$1.pid"
  for _ in $(seq 50); do
    [ -s "$tmp/$1.url" ] && break
    sleep 0.1
  done
  [ -s "$tmp/$1.url" ] || { echo "fake-github did not start" >&2; exit 1; }
  head -n1 "$tmp/$1.url"
}

start_fake() {
  GITHUB_API_URL=$(serve fake)
  fake_pid=$(cat "$tmp/fake.pid")
  export GITHUB_API_URL
}

stop_fake() {
  for pid in $fake_pid $decoy_pid; do
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
  fake_pid= decoy_pid= decoy_url=
}

# start_decoy: a second fake GitHub, for a configuration that points at
# another GitHub; its URL replaces @DECOY_URL@ in the case's configuration.
decoy_url=
start_decoy() {
  decoy_url=$(serve decoy)
  decoy_pid=$(cat "$tmp/decoy.pid")
  find "$work" -name '*.tf' -exec sed -i "s|@DECOY_URL@|$decoy_url|g" {} +
}

# stage DIR makes DIR's *.tf the configuration in the work directory; the
# state and any module directories stay.
stage() {
  rm -f "$work"/*.tf
  cp "$1"/*.tf "$work"/
  if [ -n "$decoy_url" ]; then sed -i "s|@DECOY_URL@|$decoy_url|g" "$work"/*.tf; fi
}

# apply [before]: applies the case's configuration, or its before/ one.
apply() {
  if [ "${1:-}" = before ]; then stage "$case_dir/before"; fi
  tf apply -input=false -auto-approve
  stage "$case_dir"
}

# team_member ROLE: sets mona's membership of acme/oncall outside Terraform
# ("" removes it).
team_member() {
  curl -fsS -X POST "${GITHUB_API_URL}_fake/team-memberships" \
    -d "{\"org\":\"acme\",\"slug\":\"oncall\",\"login\":\"mona\",\"role\":\"$1\",\"state\":\"active\"}"
}

# plan [FLAGS]: writes the fixture from a saved plan.
plan() {
  tf plan -input=false -out=plan.bin "$@"
  "$terraform" -chdir="$work" show -json plan.bin | jq . >"$plans/$name.json"
}

# The steps of each case, ending with its plan.
# Child modules, count and for_each:
case_modules() { plan; }
# Thresholds and a duration unknown until apply:
case_unknown() { plan; }
# A policy update that loosens every threshold:
case_policy_loosen() { apply before; plan; }
# Replace both ways, no-op, forget, and a data source read at apply:
case_actions() { apply before; plan; }
# An elevation past its duration:
case_expired() { apply; sleep "$expiry_wait"; plan; }
# Access added back by hand after the expiry was applied:
case_found_again() { apply; sleep "$expiry_wait"; apply; team_member member; plan; }
# Everything destroyed:
case_destroy() { apply; plan -destroy; }
# A grant removed by hand:
case_drift() { apply; team_member ""; plan; }
# Changes of every kind around the jit resources: integrations/github access,
# a provisioner, a jit configuration pointing at another GitHub, modules:
case_whole() { start_decoy; apply before; plan; }

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  cases=(modules unknown policy_loosen actions expired found_again destroy drift whole)
fi
for name in "${cases[@]}"; do
  case_dir=$plans/$name
  work=$tmp/work/$name
  mkdir -p "$work"
  cp -R "$case_dir/." "$work/"
  echo "generating testdata/plans/$name.json" >&2
  # Installs local modules; providers need no init with dev_overrides.
  tf get
  start_fake
  "case_$name"
  stop_fake
done
