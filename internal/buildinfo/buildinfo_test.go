package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := func(modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc123"},
			{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: modified},
		}}
	}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  Info
	}{
		{"release ldflags win over the toolchain's record", "0.2.0", "fff", "2026-05-06T00:00:00Z", vcs("false"),
			Info{Version: "0.2.0", Commit: "fff", Date: "2026-05-06T00:00:00Z"}},
		{"go install module@version", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}},
			Info{Version: "v0.2.0"}},
		{"git checkout, clean", "", "", "", vcs("false"),
			Info{Version: "dev", Commit: "abc123", Date: "2026-01-02T03:04:05Z"}},
		{"git checkout with local changes", "", "", "", vcs("true"),
			Info{Version: "dev", Commit: "abc123-dirty", Date: "2026-01-02T03:04:05Z"}},
		{"no build info at all", "", "", "", nil, Info{Version: "dev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolve(tt.version, tt.commit, tt.date, tt.bi)
			got.GoVersion, got.Platform = "", ""
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestStringNamesUnknownParts(t *testing.T) {
	got := Info{Version: "dev", GoVersion: "go1.26.8", Platform: "linux/amd64"}.String("jit-gate")
	want := "jit-gate dev (commit unknown, built unknown, go1.26.8 linux/amd64)"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if s := Get("1.0.0", "c0ffee", "").String("x"); !strings.HasPrefix(s, "x 1.0.0 (commit c0ffee, built ") {
		t.Errorf("Get ignored the ldflags values: %q", s)
	}
}
