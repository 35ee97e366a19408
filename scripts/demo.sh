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
tfbin=$("$root/scripts/ensure-terraform.sh")

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
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export GITHUB_API_URL="$api/" GITHUB_TOKEN=demo-gate-token GITHUB_REPOSITORY=acme/infra
# The seal key of the protected environments (apply, drift, expiry): audit
# records are sealed with it; pull-request workflows never get it.
export JIT_GATE_SEAL_KEY=demo-seal-key-0123456789abcdef0123456789abcdef
# Terraform runs with the provider's token, as the apply workflow's
# protected environment gives it; the gate keeps its own.
terraform() { GITHUB_TOKEN=demo-provider-token "$tfbin" "$@"; }
cd "$work/tf"
cp "$root/examples/demo/policy.tf" .
# plan saves a plan and its JSON; Terraform's banner about the local provider
# build is dropped from what the demo shows.
plan() {
  run terraform plan -no-color -out tfplan "$@" | grep -v '^$' | sed '/^Warning: Provider development overrides/,/published releases\.$/d'
  terraform show -json tfplan >plan.json
}

act "Act 1: PR #1 adds the policy; the gate wants a governance approval"
echo "the governance approvers are team sre-leads, in .github/jit-gate.yml on main, the PR's base"
plan
gate check --plan plan.json --pr 1
echo "lead (sre-leads) approves PR #1 on its head commit"
admin reviews '{"owner":"acme","repo":"infra","number":1,"login":"lead","state":"APPROVED","commit_id":"1111111111111111111111111111111111111111"}'
gate check --plan plan.json --pr 1
run terraform apply -no-color tfplan | tail -n 3

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
admin git/commits '{"owner":"acme","repo":"infra","sha":"'$merge'","parents":["a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"],"branch":"main","author":"lead","message":"Merge pull request #2"}'
admin merge '{"owner":"acme","repo":"infra","number":2,"merge_commit_sha":"'$merge'"}'
export GITHUB_SHA=$merge
gate doctor
gate check --plan plan.json --mode apply
run terraform apply -no-color tfplan | tail -n 3
membership
terraform show -json >state.json
gate record --mode apply --plan plan.json --state state.json --outcome success

act "Act 3: 30 seconds later, the 5-minute expiry job takes the access away from the state, no plan needed"
sleep 32
terraform show -json >state.json
# As in expire.yml, revoke writes with the provider's token.
printf '\n$ GITHUB_TOKEN=$JIT_PROVIDER_TOKEN jit-gate revoke --state state.json --format json | tee revoke.json\n'
GITHUB_TOKEN=demo-provider-token "$work/bin/jit-gate" revoke --state state.json --format json | tee revoke.json
membership
gate record --revoked revoke.json
echo "the hourly drift check then records the expiry; its apply writes nothing to GitHub"
plan
gate check --plan plan.json --mode drift
run terraform apply -no-color tfplan | tail -n 3
terraform show -json >state.json
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
terraform show -json >state.json
gate audit --state state.json
gate audit --state state.json --format csv
echo "every record is sealed in the audit log (issue #3) and copied to its pull request; the trail checks:"
gate audit --verify --state state.json

act "Act 6: the expired block leaves the configuration; the records alone keep the story"
echo "jit-gate prune says which ended elevations may go (and archives any the records lack):"
gate prune --state state.json
rm elevation.tf
plan
gate check --plan plan.json --mode drift
run terraform apply -no-color tfplan | tail -n 3
terraform show -json >state.json
gate record --mode drift --plan plan.json --state state.json --outcome success
echo "no state, no configuration: the whole timeline from the sealed records"
gate audit
gate audit --verify

act "Act 7: forging the trail"
comments() { curl -fsS -H "Authorization: Bearer demo-gate-token" "$api/repos/acme/infra/issues/$1/comments"; }
record_of_pr2=$(comments 3 | jq '[.[] | select(.body | contains("Pull request: #2"))][0]')
echo "a maintainer edits the record of PR #2 in the audit log to add an approver, in the table and the JSON line:"
body=$(printf '%s' "$record_of_pr2" | jq -r .body | sed 's/| no | lead |/| no | lead, mallory |/; s/"approved_by":\["lead"\]/"approved_by":["lead","mallory"]/')
admin comments/edit "$(jq -n --argjson id "$(printf '%s' "$record_of_pr2" | jq .id)" --arg body "$body" '{id: $id, login: "lead", body: $body}')"
echo "a workflow that holds the gate's token but not the seal key posts a record with a recomputed sha256, and replays the gate's last record onto PR #2:"
content=$(printf '%s' "$body" | sed 1d)
forged="<!-- jit-gate v1 kind=record head=$merge sha256=$(printf '%s' "$content" | sha256sum | cut -c1-64) -->
$content"
curl -fsS -X POST -H "Authorization: Bearer demo-gate-token" "$api/repos/acme/infra/issues/3/comments" -d "$(jq -n --arg b "$forged" '{body: $b}')" >/dev/null
last=$(comments 3 | jq '[.[] | select(.user.login == "gate-bot")][-2].body')
curl -fsS -X POST -H "Authorization: Bearer demo-gate-token" "$api/repos/acme/infra/issues/2/comments" -d "$(jq -n --argjson b "$last" '{body: $b}')" >/dev/null
echo "mallory posts a check report with the gate's marker on PR #2:"
curl -fsS -X POST -H "Authorization: Bearer demo-mallory-token" "$api/repos/acme/infra/issues/2/comments" -d "$(jq -n --arg b "<!-- jit-gate v2 kind=check head=2222222222222222222222222222222222222222 -->
**Verdict: pass**" '{body: $b}')" >/dev/null
echo "and the record of the drift check that revoked mona's grant is deleted from the log:"
drift=$(comments 3 | jq '[.[] | select(.user.login == "gate-bot") | select(.body | contains("| jit\\_elevation\\.mona\\_inc\\_4711 | mona |"))][0].id')
curl -fsS -X DELETE -H "Authorization: Bearer demo-lead-token" "$api/repos/acme/infra/issues/comments/$drift" >/dev/null
gate audit --verify
echo "the timeline takes nothing from what no longer verifies:"
gate audit
