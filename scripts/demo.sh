#!/usr/bin/env bash
# The whole story on a laptop, with no GitHub account: a fake GitHub runs on
# loopback, the provider and jit-gate are built from this checkout, and real
# Terraform plans and applies against it.
set -euo pipefail
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "make demo needs $tool: apt-get install -y $tool" >&2; exit 1; }
done
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/.demo"
rm -rf "$work" && mkdir -p "$work/bin" "$work/tf"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 NO_COLOR=1
tf=$("$root/scripts/ensure-terraform.sh")

act() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }
run() { printf '\n$ %s\n' "$*"; "$@"; }
# gate runs jit-gate and reports its exit code without stopping the demo.
gate() {
  printf '\n$ jit-gate %s\n' "$*"
  set +e; "$work/bin/jit-gate" "$@"; code=$?; set -e
  printf '(exit %d)\n' "$code"
  return 0
}
admin() { curl -fsS -X POST "$api/_fake/$1" -H 'Content-Type: application/json' -d "$2" >/dev/null; }
membership() {
  printf '\n$ GET /orgs/acme/teams/oncall/memberships/mona\n'
  curl -sS -H "Authorization: Bearer demo-gate-token" "$api/orgs/acme/teams/oncall/memberships/mona"; echo
}

act "Building terraform-provider-jit, jit-gate and the fake GitHub"
go build -o "$work/bin/terraform-provider-jit" "$root"
go build -o "$work/bin/jit-gate" "$root/cmd/jit-gate"
go build -o "$work/bin/fake-github" "$root/cmd/fake-github"

port=$(( 20000 + RANDOM % 20000 ))
api="http://127.0.0.1:$port"
"$work/bin/fake-github" -addr "127.0.0.1:$port" -seed "$root/examples/demo/seed.json" >"$work/fake-github.log" 2>&1 &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "$api/_fake/" >/dev/null 2>&1 && break; sleep 0.1; done
echo "fake GitHub on $api (org acme, teams oncall and sre-leads, repo acme/infra)"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "jitgate/jit" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_VAR_github_api_url="$api/"
export GITHUB_API_URL="$api/" GITHUB_TOKEN=demo-gate-token GITHUB_REPOSITORY=acme/infra
cd "$work/tf"
cp "$root/examples/demo/policy.tf" .
# plan saves a plan and its JSON; Terraform's banner about the local provider
# build is dropped from what the demo shows.
plan() {
  run "$tf" plan -no-color -out tfplan "$@" | grep -v '^$' | sed '/^Warning: Provider development overrides/,/published releases\.$/d'
  "$tf" show -json tfplan >plan.json
}

act "Act 1: PR #1 adds the policy; the gate wants a governance approval"
plan
gate check --plan plan.json --pr 1 --governance-approvers team:acme/sre-leads
echo "lead (sre-leads) approves PR #1 on its head commit"
admin reviews '{"owner":"acme","repo":"infra","number":1,"login":"lead","state":"APPROVED","commit_id":"1111111111111111111111111111111111111111"}'
gate check --plan plan.json --pr 1 --governance-approvers team:acme/sre-leads
run "$tf" apply -no-color tfplan | tail -n 3

act "Act 2: PR #2 asks for 30s of oncall for mona"
cp "$root/examples/demo/elevation.tf.txt" elevation.tf
plan
gate check --plan plan.json --pr 2
echo "mona approves her own request: it does not count"
admin reviews '{"owner":"acme","repo":"infra","number":2,"login":"mona","state":"APPROVED","commit_id":"2222222222222222222222222222222222222222"}'
gate check --plan plan.json --pr 2
echo "lead approves PR #2 on its head commit"
admin reviews '{"owner":"acme","repo":"infra","number":2,"login":"lead","state":"APPROVED","commit_id":"2222222222222222222222222222222222222222"}'
gate check --plan plan.json --pr 2
echo "PR #2 is merged; on main the gate checks the merged PR's approvals again, and that nobody could have gone around them (doctor's points, trust.anchor), then apply grants"
merge=cccccccccccccccccccccccccccccccccccccccc
admin git/commits '{"owner":"acme","repo":"infra","sha":"'$merge'","parents":["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"],"branch":"main","author":"lead","message":"Merge pull request #2"}'
admin merge '{"owner":"acme","repo":"infra","number":2,"merge_commit_sha":"'$merge'"}'
export GITHUB_SHA=$merge
gate doctor
gate check --plan plan.json --mode apply
run "$tf" apply -no-color tfplan | tail -n 3
membership
"$tf" show -json >state.json
gate record --mode apply --plan plan.json --state state.json --outcome success

act "Act 3: 30 seconds later, the hourly drift check"
sleep 32
plan
gate check --plan plan.json --mode drift
run "$tf" apply -no-color tfplan | tail -n 3
membership
"$tf" show -json >state.json
gate record --mode drift --plan plan.json --state state.json --outcome success
plan -detailed-exitcode || true

act "Act 4: someone adds alice to oncall by hand; the drift check catches the shadow admin path and removes it"
admin team-memberships '{"org":"acme","slug":"oncall","login":"alice","role":"maintainer","state":"active"}'
plan
gate check --plan plan.json --mode drift
echo "the policy is exclusive: the drift check sweeps the shadow access away, and records it"
# As in the drift workflow, the sweep writes with the provider's token: the
# gate's may not change teams.
printf '\n$ GITHUB_TOKEN=$JIT_PROVIDER_TOKEN jit-gate sweep --plan plan.json --format json | tee sweep.json\n'
GITHUB_TOKEN=demo-provider-token "$work/bin/jit-gate" sweep --plan plan.json --format json | tee sweep.json
gate record --mode drift --plan plan.json --outcome skipped --sweep sweep.json
plan
gate check --plan plan.json --mode drift

act "Act 5: the auditor's view: who held what, when, why, approved by whom, through which PR"
"$tf" show -json >state.json
gate audit --state state.json
gate audit --state state.json --format csv
gate audit --verify --state state.json
echo "someone edits the gate's record on PR #2 by hand to add an approver"
comments=$(curl -fsS -H "Authorization: Bearer demo-gate-token" "$api/repos/acme/infra/issues/2/comments")
id=$(printf '%s' "$comments" | jq '[.[] | select(.body | contains("kind=record"))][0].id')
body=$(printf '%s' "$comments" | jq -r '[.[] | select(.body | contains("kind=record"))][0].body' | sed 's/| no | lead |/| no | lead, alice |/')
admin comments/edit "$(jq -n --argjson id "$id" --arg body "$body" '{id: $id, login: "gate-bot", body: $body}')"
gate audit --verify --state state.json
