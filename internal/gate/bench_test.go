package gate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
)

// BenchmarkEvaluatePlan applies the rules to the 10,000-resource plan that
// `make bench` generates with real Terraform (1,000 elevations under two
// policies), without and with a pull request's facts. It skips when the
// plan has not been generated.
func BenchmarkEvaluatePlan(b *testing.B) {
	path := os.Getenv("JIT_BENCH_PLAN")
	if path == "" {
		path = filepath.Join("..", "..", "bench", ".work", "plans", "size-10000.json")
	}
	p, err := plan.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b.Skipf("no generated plan at %s: run `make bench` first, or set JIT_BENCH_PLAN", path)
	}
	if err != nil {
		b.Fatal(err)
	}
	const sha = "c0ffee0000000000000000000000000000000001"
	// The pull request bench/run.sh seeds: two approvers approved the head.
	pr := Facts{
		HasPR: true, Number: 1, Author: "carol", HeadSHA: sha,
		Reviews: []Review{
			{Login: "octo-security", State: StateApproved, CommitID: sha},
			{Login: "sre1", State: StateApproved, CommitID: sha},
			{Login: "user7", State: StateCommented, CommitID: sha},
		},
		Committers:  []string{"carol"},
		TeamMembers: map[string][]string{"acme/sre-leads": {"sre1", "sre2"}},
	}
	for _, c := range []struct {
		name  string
		facts Facts
		mode  Mode
	}{{"drift", Facts{}, ModeDrift}, {"pr", pr, ModePR}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(p, c.facts, Options{Mode: c.mode})
			}
		})
	}
}
