#!/usr/bin/env bash
# `make bench`: jit-gate against a floor, jq and conftest on real Terraform
# plans, GitHub API call counts of the gate and of a provider refresh, and
# the provider's planning overhead. Prints a markdown report and writes it
# into BENCHMARKS.md between the bench markers. Timings are medians of
# BENCH_RUNS runs (default 5), run interleaved so drift hits every tool alike.
#
# Not part of `make test` or CI: nothing here asserts a timing. Generated
# plans are cached in bench/.work/ (BENCH_REPLAN=1 plans again).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK="$ROOT/bench/.work"
BIN="$WORK/bin"
RES="$WORK/results"
RUNS=${BENCH_RUNS:-5}
TF_RUNS=${BENCH_TF_RUNS:-3}
SIZES=${BENCH_SIZES:-"100 1000 10000"}
TF_VERSION=${TF_VERSION:-1.8.5}
CONFTEST_VERSION=0.71.1
TOOLS_DIR=${JIT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/jit-tools}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap stop_fake EXIT
export CHECKPOINT_DISABLE=1

mkdir -p "$BIN" "$RES" "$WORK/plans"
rm -f "$RES"/*

# --- tools -------------------------------------------------------------------

missing=()
for t in jq curl; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} with apt-get"
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

TF=$("$ROOT/scripts/ensure-terraform.sh" "$TF_VERSION")

# conftest is built from the Go module proxy once, like Terraform.
CONFTEST="$TOOLS_DIR/conftest-$CONFTEST_VERSION/conftest"
if [ ! -x "$CONFTEST" ]; then
  log "installing conftest $CONFTEST_VERSION from the Go module proxy (first run only)"
  mkdir -p "$(dirname "$CONFTEST")"
  (cd "$(mktemp -d)" && GOFLAGS=-mod=mod GOBIN="$(dirname "$CONFTEST")" \
    go install "github.com/open-policy-agent/conftest@v$CONFTEST_VERSION")
fi

# Built as action.yml builds the gate, so the numbers are what users run.
log "building the provider, jit-gate, fake-github and the bench tools"
(
  cd "$ROOT"
  go build -trimpath -o "$BIN/" . ./cmd/fake-github ./bench/measure
  # jit-gate and the floor as the action builds jit-gate: static, no cgo.
  CGO_ENABLED=0 go build -trimpath -o "$BIN/" ./cmd/jit-gate ./bench/floor
  go build -trimpath -o "$BIN/terraform-provider-benchnull" ./bench/nullprovider
)

write_seed
write_tfrc
reset_fake

# --- 1. plans ----------------------------------------------------------------

# Sizes count resource_changes entries: two policies, one elevation in ten,
# terraform_data for the rest. The stable size-N.json links are what the Go
# benchmarks read.
for n in $SIZES; do
  e=$((n / 10))
  plan=$( { tf_header; tf_policies; tf_elevations "$e"; tf_data $((n - 2 - e)); } | make_plan "size-$n")
  ln -sfn "${plan#"$WORK/plans/"}" "$WORK/plans/size-$n.json"
done

# --- 2. plan reading: gate, floor, jq, conftest --------------------------------

TOOLS="gate floor jq conftest"

# tool_cmd TOOL PLAN: the command line, one word a line. The gate runs in
# drift mode: the same plan reading and rules as pr mode, with no PR, so no
# network time blurs the comparison (pr mode is counted in section 3). Its
# settings allow terraform_data, the filler of the plans, as a repository
# would: each would otherwise be a plan.unguarded finding conftest does not
# look for.
printf 'allow_types: [terraform_data]\n' >"$WORK/jit-gate.yml"
tool_cmd() {
  case $1 in
  gate) printf '%s\n' "$BIN/jit-gate" check --plan "$2" --mode drift --settings "$WORK/jit-gate.yml" --format json ;;
  floor) printf '%s\n' "$BIN/floor" "$2" ;;
  jq) printf '%s\n' jq -c . "$2" ;;
  conftest) printf '%s\n' "$CONFTEST" test --no-color -o json --policy "$ROOT/bench/policy" --data "$ROOT/bench/data" "$2" ;;
  esac
}

# Exit codes that mean "ran fine": the gate and conftest block the plan.
tool_ok() { case $1 in gate | conftest) echo 0,1 ;; *) echo 0 ;; esac; }

# run_tool TOOL SIZE [STDOUT]: one measured run, "seconds KiB CPU-seconds" appended to
# the tool's results.
run_tool() {
  local cmd
  mapfile -t cmd < <(tool_cmd "$1" "$WORK/plans/size-$2.json")
  "$BIN/measure" -ok "$(tool_ok "$1")" -stdout "${3:-/dev/null}" -- "${cmd[@]}" >>"$RES/$1-$2.tsv"
}

# gate_rules, conftest_rules FILE: "count rule" lines, sorted, for the
# threshold rules that both the gate and the Rego policy implement.
THRESHOLD_RULES='^(policy\.scope|policy\.duration|policy\.reason|approval\.insufficient)$'
gate_rules() { jq -r '.violations[].rule' "$1" | grep -E "$THRESHOLD_RULES" | sort | uniq -c || true; }
conftest_rules() { jq -r '.[].failures[]?.msg | split(" ")[0]' "$1" | grep -E "$THRESHOLD_RULES" | sort | uniq -c || true; }

log "warm-up and cross-check: every tool once per size"
for n in $SIZES; do
  for t in $TOOLS; do run_tool "$t" "$n" "$RES/$t-$n.out"; done
  rm -f "$RES"/*-"$n".tsv # the warm-up run is not counted
  # The same work for both: the gate and conftest must find the same
  # threshold violations, and the floor must see every entry.
  if [ "$(gate_rules "$RES/gate-$n.out")" != "$(conftest_rules "$RES/conftest-$n.out")" ]; then
    log "gate and conftest disagree on the $n-resource plan:"
    diff <(gate_rules "$RES/gate-$n.out") <(conftest_rules "$RES/conftest-$n.out") >&2 || true
    exit 1
  fi
  [ "$(cat "$RES/floor-$n.out")" = "$n" ] || { log "floor read $(cat "$RES/floor-$n.out") entries, want $n"; exit 1; }
done

log "timing: $RUNS interleaved rounds"
# Other work on the machine shows in every timing: note how busy it was.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$RUNS"); do
  for n in $SIZES; do
    for t in $TOOLS; do run_tool "$t" "$n"; done
  done
done

# --- 3. GitHub API calls -----------------------------------------------------

# calls: total API calls since the last reset (admin calls are not counted).
calls() { fake GET /_fake/calls | jq -r .total; }

log "API calls: jit-gate check --mode pr against a seeded pull request"
GATE_ELEVATIONS="1 10 100 200"
for e in $GATE_ELEVATIONS; do
  plan=$( { tf_header; tf_policies; tf_elevations "$e"; } | make_plan "gate-$e")
  fake POST /_fake/calls/reset >/dev/null
  rc=0
  GITHUB_TOKEN=bench-token GITHUB_API_URL="$FAKE_URL" \
    "$BIN/jit-gate" check --plan "$plan" --mode pr --repo acme/infra --pr 1 --format json >"$RES/gate-pr-$e.out" || rc=$?
  [ "$rc" -le 1 ] || { log "jit-gate check --mode pr exited $rc"; cat "$RES/gate-pr-$e.out" >&2; exit 1; }
  echo "$e $(calls)" >>"$RES/gate-calls.tsv"
done

# A provider refresh: 200 granted elevations over 5 teams, under a policy
# that observes who holds those teams. Fresh fake, fresh state.
log "API calls: terraform apply of 200 elevations over 5 teams, then a refresh"
reset_fake
refresh_dir="$WORK/refresh"
rm -rf "$refresh_dir"
mkdir -p "$refresh_dir"
{
  tf_header
  cat <<'EOF'

resource "jit_optout_policy" "teams" {
  name               = "bench-teams"
  scopes             = [for i in range(5) : "github:team:acme/team${i}"]
  max_duration       = "8h"
  required_approvals = 1
  approvers          = ["octo-security"]
}

resource "jit_elevation" "t" {
  count     = 200
  policy_id = jit_optout_policy.teams.id
  principal = "user${count.index}"
  scope     = "github:team:acme/team${count.index % 5}"
  reason    = "On call for the team this week: INC-${2000 + count.index}."
  duration  = "4h"
}
EOF
} >"$refresh_dir/main.tf"
(
  cd "$refresh_dir"
  fake POST /_fake/calls/reset >/dev/null
  tf_env "$TF" apply -input=false -no-color -auto-approve >apply.log 2>&1 || { cat apply.log >&2; exit 1; }
  fake GET /_fake/calls >"$RES/apply-calls.json"
  # The policy observed its teams before the grants; record what it sees
  # now, so the counted refresh is the steady state (and finds no change).
  tf_env "$TF" apply -refresh-only -input=false -no-color -auto-approve >record.log 2>&1 || { cat record.log >&2; exit 1; }
  fake POST /_fake/calls/reset >/dev/null
  tf_env "$TF" plan -refresh-only -input=false -no-color >refresh.log 2>&1 || { cat refresh.log >&2; exit 1; }
  grep -q "No changes" refresh.log || { log "the refresh found changes:"; cat refresh.log >&2; exit 1; }
  fake GET /_fake/calls >"$RES/refresh-calls.json"
)
stop_fake

# jit-gate revoke and the provider's grant, in-process against the fake with
# GitHub's rate limits in virtual time: the time is the work's own, and
# pacing writes under GitHub's 80 a minute is reported as the wait it is.
log "API calls and time: jit-gate revoke of 1, 50, 200 expired elevations over 5 teams, and grants"
if ! (cd "$ROOT" && go test -run '^$' -bench 'Benchmark(Revoke|Grant)$' -benchtime 3x -count 1 ./internal/revoke) >"$RES/revoke-bench.txt" 2>&1; then
  log "revoke benchmarks failed; the report shows their output"
fi

# --- 4. provider overhead ----------------------------------------------------

# terraform plan of 500 jit_elevation against 500 terraform_data (built into
# Terraform), and against 500 benchnull_elevation: jit_elevation's schema
# without its logic, served by the plugin framework (bench/nullprovider), the
# floor for any plugin resource. Every configuration has the two policies,
# so every one starts the jit provider. The "-quiet" runs turn the SDK's
# trace logging off: the framework logs every call at TRACE, and Terraform
# discards it all unless TF_LOG is set.
OVERHEAD="data benchnull benchnull-quiet elevation elevation-quiet"
log "provider overhead: terraform plan of 500 resources, median of $TF_RUNS"
reset_fake
for kind in data benchnull elevation; do
  d="$WORK/overhead/$kind"
  rm -rf "$d"
  mkdir -p "$d"
  case $kind in
  data) { tf_header; tf_policies; tf_data 500; } >"$d/main.tf" ;;
  benchnull) { tf_header; tf_policies; tf_elevations 500 benchnull_elevation; } >"$d/main.tf" ;;
  elevation) { tf_header; tf_policies; tf_elevations 500; } >"$d/main.tf" ;;
  esac
done
QUIET_LOGS=(TF_LOG_SDK=off TF_LOG_SDK_PROTO=off TF_LOG_SDK_FRAMEWORK=off TF_LOG_PROVIDER=off)
for r in $(seq 0 "$TF_RUNS"); do # round 0 warms up
  for kind in $OVERHEAD; do
    dir=${kind%-quiet} env=()
    [ "$dir" = "$kind" ] || env=("${QUIET_LOGS[@]}")
    out=$(cd "$WORK/overhead/$dir" && tf_env env "${env[@]}" "$BIN/measure" -- "$TF" plan -input=false -no-color -out=tfplan)
    [ "$r" -eq 0 ] || echo "$out" >>"$RES/tfplan-$kind.tsv"
  done
done
stop_fake

# --- 5. Go benchmarks --------------------------------------------------------

log "Go benchmarks: plan reading and rule evaluation on the 10,000-resource plan"
# A package that does not build (the checkout is shared) costs this section
# only: the report says so.
if ! (cd "$ROOT" && go test -run '^$' -bench . -benchtime 20x -count 1 ./internal/plan ./internal/gate) >"$RES/gobench.txt" 2>&1; then
  log "Go benchmarks failed; the report shows their output"
fi

# --- 6. profiles (BENCH_PROFILE=1) --------------------------------------------

# CPU profiles behind the findings in BENCHMARKS.md: plan reading, and the
# provider process during the plan of 500 elevations (bench/provprof is the
# provider with a CPU profile). Tops go to bench/.work/results/*.top.
if [ -n "${BENCH_PROFILE:-}" ]; then
  log "profiles: plan reading and the provider's plan of 500 elevations"
  (cd "$ROOT" && go test -run '^$' -bench 'BenchmarkRead$' -benchtime 40x -cpuprofile "$RES/read.cpu" -o "$RES/plan.test" ./internal/plan >/dev/null)
  go tool pprof -top -cum -nodecount 30 "$RES/plan.test" "$RES/read.cpu" >"$RES/read.top" 2>/dev/null
  mkdir -p "$WORK/profbin"
  (cd "$ROOT" && go build -o "$WORK/profbin/terraform-provider-jit" ./bench/provprof)
  write_tfrc "$WORK/prof.tfrc" "$WORK/profbin"
  reset_fake
  (cd "$WORK/overhead/elevation" && tf_env env TF_CLI_CONFIG_FILE="$WORK/prof.tfrc" JIT_PROVIDER_CPUPROFILE="$RES/provider.cpu" \
    "$TF" plan -input=false -no-color -out=tfplan >/dev/null)
  stop_fake
  go tool pprof -top -cum -nodecount 40 "$WORK/profbin/terraform-provider-jit" "$RES/provider.cpu" >"$RES/provider.top" 2>/dev/null
  log "profiles in $RES: read.cpu, provider.cpu (tops: read.top, provider.top)"
fi

# --- report ------------------------------------------------------------------

ms() { awk -v s="$1" 'BEGIN { printf "%.1f ms", s * 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
holds() { awk -v v="$1" -v op="$2" -v lim="$3" 'BEGIN {
  ok = (op == "<=") ? (v <= lim) : (v >= lim); print (ok ? "yes" : "**no**") }'; }

report="$RES/report.md"
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) at commit $(git -C "$ROOT" rev-parse --short HEAD)$( [ -z "$(git -C "$ROOT" status --porcelain)" ] || echo ' (with uncommitted changes)')."
  echo
  echo "### Plan reading (median of $RUNS runs; wall time, peak RSS)"
  echo
  echo "| resources | plan JSON | jit-gate | floor | jq -c . | conftest | gate RSS | floor RSS | jq RSS | conftest RSS |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for n in $SIZES; do
    size=$(stat -c %s "$(readlink -f "$WORK/plans/size-$n.json")")
    row="| $n | $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
    for t in $TOOLS; do row="$row | $(ms "$(median "$RES/$t-$n.tsv" 1)")"; done
    for t in $TOOLS; do row="$row | $(mib "$(median "$RES/$t-$n.tsv" 2)")"; done
    echo "$row |"
  done
  echo
  echo "| resources | gate/floor time | gate/floor RSS | conftest/gate time | conftest/gate RSS | jq/gate time | jq/gate RSS |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for n in $SIZES; do
    for t in $TOOLS; do
      eval "t_$t=$(median "$RES/$t-$n.tsv" 1) m_$t=$(median "$RES/$t-$n.tsv" 2)"
    done
    # shellcheck disable=SC2154 # set by the eval above
    echo "| $n | $(ratio "$t_gate" "$t_floor") | $(ratio "$m_gate" "$m_floor") | $(ratio "$t_conftest" "$t_gate") | $(ratio "$m_conftest" "$m_gate") | $(ratio "$t_jq" "$t_gate") | $(ratio "$m_jq" "$m_gate") |"
  done
  echo
  echo "### GitHub API calls"
  echo
  echo "| what | elevations | API calls |"
  echo "| --- | ---: | ---: |"
  while read -r e c; do echo "| \`jit-gate check --mode pr\` (one PR, 2 reviews, 1 approver team) | $e | $c |"; done <"$RES/gate-calls.tsv"
  echo "| \`terraform apply\`: grant them (5 teams) | 200 | $(jq -r .total "$RES/apply-calls.json") |"
  echo "| \`terraform plan -refresh-only\`: refresh them (5 teams) | 200 | $(jq -r .total "$RES/refresh-calls.json") |"
  echo
  by_route() { jq -r '.calls | to_entries | map("`\(.key)` \(.value)") | join(", ")' "$1"; }
  echo "Refresh calls by route: $(by_route "$RES/refresh-calls.json")."
  echo
  echo "Apply calls by route: $(by_route "$RES/apply-calls.json")."
  echo
  echo "### jit-gate revoke and grants (in-process fake, GitHub's rate limits in virtual time)"
  echo
  echo "| what | elevations | time (pacing excluded) | API calls | writes | calls per elevation | pacing wait (80 writes/min) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  awk '/^Benchmark(Revoke|Grant)\// {
      what = ($1 ~ /Revoke/) ? "`jit-gate revoke` of expired elevations (5 teams)" : "provider grant to org members (5 teams)"
      split($1, name, "="); sub(/-[0-9]+$/, "", name[2])
      for (i = 3; i < NF; i += 2) m[$(i + 1)] = $i
      printf "| %s | %s | %.1f ms | %d | %d | %.2f | %.1f min |\n", what, name[2], m["ns/op"] / 1e6, m["calls/op"], m["writes/op"], m["calls/elevation"], m["paced-min/op"]
    }' "$RES/revoke-bench.txt"
  grep -q '^Benchmark' "$RES/revoke-bench.txt" || { echo '```'; tail -n 20 "$RES/revoke-bench.txt"; echo '```'; }
  echo
  echo "### Provider overhead (\`terraform plan\` of 500 resources, median of $TF_RUNS)"
  echo
  t_da=$(median "$RES/tfplan-data.tsv" 1)
  t_nu=$(median "$RES/tfplan-benchnull.tsv" 1)
  t_nq=$(median "$RES/tfplan-benchnull-quiet.tsv" 1)
  t_el=$(median "$RES/tfplan-elevation.tsv" 1)
  t_eq=$(median "$RES/tfplan-elevation-quiet.tsv" 1)
  echo "| 500 resources | SDK trace logs | wall time | / terraform_data | / benchnull, same logging |"
  echo "| --- | --- | ---: | ---: | ---: |"
  echo "| \`terraform_data\` (built into Terraform) | n/a | $(ms "$t_da") | 1.00 | |"
  echo "| \`benchnull_elevation\` (jit_elevation's schema, no logic) | on (default) | $(ms "$t_nu") | $(ratio "$t_nu" "$t_da") | 1.00 |"
  echo "| \`benchnull_elevation\` | off | $(ms "$t_nq") | $(ratio "$t_nq" "$t_da") | 1.00 |"
  echo "| \`jit_elevation\` | on (default) | $(ms "$t_el") | $(ratio "$t_el" "$t_da") | $(ratio "$t_el" "$t_nu") |"
  echo "| \`jit_elevation\` | off | $(ms "$t_eq") | $(ratio "$t_eq" "$t_da") | $(ratio "$t_eq" "$t_nq") |"
  echo
  echo "### Targets"
  echo
  echo "| target | measured | holds |"
  echo "| --- | --- | --- |"
  for n in $SIZES; do
    r=$(ratio "$(median "$RES/gate-$n.tsv" 1)" "$(median "$RES/floor-$n.tsv" 1)")
    echo "| gate time <= 1.2x floor, $n resources | ${r}x | $(holds "$r" "<=" 1.2) |"
  done
  for n in $SIZES; do
    r=$(ratio "$(median "$RES/conftest-$n.tsv" 1)" "$(median "$RES/gate-$n.tsv" 1)")
    echo "| gate >= 5x faster than conftest, $n resources | ${r}x | $(holds "$r" ">=" 5) |"
  done
  for n in $SIZES; do
    r=$(ratio "$(median "$RES/gate-$n.tsv" 2)" "$(median "$RES/floor-$n.tsv" 2)")
    echo "| gate peak RSS <= 1.2x floor, $n resources | ${r}x | $(holds "$r" "<=" 1.2) |"
  done
  # Beyond the 20 repositories the requests name, more elevations cost no call.
  lo=$(awk '$1 == 100 { print $2 }' "$RES/gate-calls.tsv")
  hi=$(awk '$1 == 200 { print $2 }' "$RES/gate-calls.tsv")
  echo "| gate API calls flat in elevations (past the 20 repositories they name) | $lo calls for 100, $hi for 200 | $([ "$lo" = "$hi" ] && echo yes || echo '**no**') |"
  rc=$(jq -r .total "$RES/refresh-calls.json")
  # Per team: maintainers, members and child teams; per org: its owners.
  echo "| refresh of 200 elevations over 5 teams <= 16 API calls (3 per team, 1 per org) | $rc | $(holds "$rc" "<=" 16) |"
  # Reads of revoke and grant: calls less writes, the same for 50 and 200.
  reads() { awk -v w="$1" -v n="$2" '$1 ~ "^Benchmark" w "/.*=" n "-" { for (i = 3; i < NF; i += 2) m[$(i + 1)] = $i; print m["calls/op"] - m["writes/op"] }' "$RES/revoke-bench.txt"; }
  for w in Revoke Grant; do
    r50=$(reads "$w" 50) r200=$(reads "$w" 200)
    [ "$w" = Grant ] && r50=$((r50 - 50)) r200=$((r200 - 200)) # one user lookup per new principal, for the ID recorded
    echo "| $w: one write per elevation, reads per team (50 vs 200 elevations) | $r50 vs $r200 reads | $([ -n "$r50" ] && [ "$r50" = "$r200" ] && echo yes || echo '**no**') |"
  done
  r=$(ratio "$t_el" "$t_da")
  echo "| plan of 500 elevations <= 1.5x 500 terraform_data | ${r}x | $(holds "$r" "<=" 1.5) |"
  echo
  echo "### Go benchmarks (10,000-resource plan, \`-benchtime 20x\`)"
  echo
  echo '```'
  grep -E '^(Benchmark|cpu:|FAIL|---)' "$RES/gobench.txt" || tail -n 20 "$RES/gobench.txt"
  echo '```'
  echo
  echo "### Machine"
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores (nproc)"
  echo "- Load average when the timing started: $load_before (1, 5, 15 min); the medians damp, but do not remove, other work on the machine"
  echo "- Memory: $(free -g | awk '/^Mem:/ { print $2 " GiB total, " $7 " GiB available (free -g)" }')"
  echo "- $(go version | cut -d' ' -f3-), Terraform $(tf_env "$TF" version -json | jq -r .terraform_version), conftest $CONFTEST_VERSION (OPA $("$CONFTEST" --version | awk '/OPA/ { print $2 }')), $(jq --version)"
} >"$report"

# Replace what lies between the markers in BENCHMARKS.md (append the
# section if the markers are missing).
doc="$ROOT/BENCHMARKS.md"
begin='<!-- bench:begin (written by bench/run.sh) -->'
end='<!-- bench:end -->'
if [ -f "$doc" ] && grep -qF "$begin" "$doc" && grep -qF "$end" "$doc"; then
  awk -v b="$begin" -v e="$end" -v f="$report" '
    $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
    $0 == e { skip = 0 }
    !skip' "$doc" >"$doc.tmp"
  mv "$doc.tmp" "$doc"
else
  { [ -f "$doc" ] && cat "$doc" && echo; echo "## Latest run"; echo; echo "$begin"; cat "$report"; echo "$end"; } >"$doc.tmp"
  mv "$doc.tmp" "$doc"
fi

cat "$report"
log "written to BENCHMARKS.md"
