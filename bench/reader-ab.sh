#!/usr/bin/env bash
# bench/reader-ab.sh [BASE [HEAD]]: the plan reader at HEAD (a git revision;
# default this checkout as it is) against the one at BASE (default main),
# side by side in one run: each
# round runs BenchmarkRead of both (wall time, bytes and allocations per
# read) and `jit-gate check --mode drift` of both on the 100, 1,000 and
# 10,000-resource plans (wall time, CPU time, peak RSS), interleaved so
# other work on the machine hits both alike. Prints medians and ratios as
# markdown. Needs the plans `make bench` generates (bench/.work/plans).
#
# Rounds: AB_ROUNDS (default 9). Not part of `make test`; asserts nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${1:-main}
HEAD=${2:-}
ROUNDS=${AB_ROUNDS:-9}
WORK="$ROOT/bench/.work/ab"
PLANS="$ROOT/bench/.work/plans"
SIZES="100 1000 10000"

for n in $SIZES; do
  [ -s "$PLANS/size-$n.json" ] || { echo "no $PLANS/size-$n.json: run make bench first" >&2; exit 1; }
done
rm -rf "$WORK"
mkdir -p "$WORK/base" "$WORK/head" "$WORK/bin" "$WORK/res"

# Revisions are built from `git archive`, so no worktree or checkout is touched.
git -C "$ROOT" archive "$BASE" | tar -x -C "$WORK/base"
[ -z "$HEAD" ] || git -C "$ROOT" archive "$HEAD" | tar -x -C "$WORK/head"
for side in base head; do
  src=$WORK/$side
  [ "$side" = head ] && [ -z "$HEAD" ] && src=$ROOT
  (
    cd "$src"
    go test -c -o "$WORK/bin/plan-$side.test" ./internal/plan
    CGO_ENABLED=0 go build -trimpath -o "$WORK/bin/jit-gate-$side" ./cmd/jit-gate
  )
done
go build -o "$WORK/bin/measure" "$ROOT/bench/measure"

export JIT_BENCH_PLAN="$PLANS/size-10000.json"
for _ in $(seq "$ROUNDS"); do
  for side in base head; do
    (cd "$ROOT/internal/plan" && "$WORK/bin/plan-$side.test" -test.run '^$' -test.bench '^BenchmarkRead$' \
      -test.benchtime 10x -test.benchmem) | awk '/^BenchmarkRead/ {
        for (i = 2; i < NF; i++) { if ($(i+1) == "ns/op") t = $i; if ($(i+1) == "B/op") b = $i; if ($(i+1) == "allocs/op") a = $i }
        print t, b, a }' >>"$WORK/res/go-$side.tsv"
    for n in $SIZES; do
      "$WORK/bin/measure" -ok 0,1 -- "$WORK/bin/jit-gate-$side" check --plan "$PLANS/size-$n.json" --mode drift --format json \
        >>"$WORK/res/gate-$side-$n.tsv"
    done
  done
done

median() {
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR]=$1} END {
    if (NR % 2) print v[(NR+1)/2]; else printf "%.6f\n", (v[NR/2] + v[NR/2+1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

ms() { awk -v s="$1" 'BEGIN { printf "%.1f ms", s * 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

R="$WORK/res"
head_name=$(git -C "$ROOT" rev-parse --short "${HEAD:-HEAD}")
[ -n "$HEAD" ] || [ -z "$(git -C "$ROOT" status --porcelain)" ] || head_name="$head_name with uncommitted changes"
echo "Reader at $(git -C "$ROOT" rev-parse --short "$BASE") (base) against $head_name (head), median of $ROUNDS interleaved rounds; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| BenchmarkRead, 10,000 resources | base | head | head/base |"
echo "| --- | ---: | ---: | ---: |"
for c in "1 ms/read 1e-6" "2 MB/read 1e-6" "3 allocs/read 1"; do
  set -- $c
  b=$(median "$R/go-base.tsv" "$1") h=$(median "$R/go-head.tsv" "$1")
  echo "| $2 | $(awk -v v="$b" -v s="$3" 'BEGIN { printf "%.1f", v * s }') | $(awk -v v="$h" -v s="$3" 'BEGIN { printf "%.1f", v * s }') | $(ratio "$h" "$b") |"
done
echo
echo "| jit-gate check, resources | wall base | wall head | CPU base | CPU head | RSS base | RSS head | wall | CPU | RSS |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in $SIZES; do
  bw=$(median "$R/gate-base-$n.tsv" 1) hw=$(median "$R/gate-head-$n.tsv" 1)
  bm=$(median "$R/gate-base-$n.tsv" 2) hm=$(median "$R/gate-head-$n.tsv" 2)
  bc=$(median "$R/gate-base-$n.tsv" 3) hc=$(median "$R/gate-head-$n.tsv" 3)
  echo "| $n | $(ms "$bw") | $(ms "$hw") | $(ms "$bc") | $(ms "$hc") | $(mib "$bm") | $(mib "$hm") | $(ratio "$hw" "$bw") | $(ratio "$hc" "$bc") | $(ratio "$hm" "$bm") |"
done
