package action_test

import (
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkActionStartup runs the whole action on a small plan three ways
// side by side in each iteration, so their ratio holds on a busy machine:
// the released binary checked against the pinned checksum (downloaded from
// loopback: a real runner adds the download of about 10 MB from GitHub), and
// a build from source with a warm and with an empty Go build cache (a hosted
// runner's first use; it also downloads the modules, which this machine has
// cached, so the build times are lower bounds).
//
//	go test -run '^$' -bench ActionStartup -benchtime 3x ./action/
func BenchmarkActionStartup(b *testing.B) {
	rel := newRelease(b, "9.8.7", nil)
	pinned := pinnedTree(b, sumsFile(rel))
	source, err := filepath.Abs(repoRoot)
	if err != nil {
		b.Fatal(err)
	}
	inputs := func(install string) map[string]string {
		return map[string]string{"plan": drillPlan, "mode": "drift", "comment": "false", "install": install, "release-url": rel.server.URL}
	}
	timed := func(r runner) time.Duration {
		start := time.Now()
		if res := r.runAction(b); res.code != 0 {
			b.Fatalf("step %q exited %d:\n%s", res.failed, res.code, res.log)
		}
		return time.Since(start)
	}
	// Warm the build cache for the warm variant.
	timed(runner{actionPath: source, inputs: inputs("source")})
	var release, warm, cold time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		release += timed(runner{actionPath: pinned, inputs: inputs("release")})
		warm += timed(runner{actionPath: source, inputs: inputs("source")})
		cold += timed(runner{actionPath: source, inputs: inputs("source"), env: map[string]string{"GOCACHE": b.TempDir()}})
	}
	n := float64(b.N)
	b.ReportMetric(release.Seconds()/n, "release-s/op")
	b.ReportMetric(warm.Seconds()/n, "source-warm-s/op")
	b.ReportMetric(cold.Seconds()/n, "source-cold-s/op")
	b.ReportMetric(float64(warm)/float64(release), "warm/release")
	b.ReportMetric(float64(cold)/float64(release), "cold/release")
}
