// Package buildinfo says which build of a binary is running. Release builds
// set the version, commit and date with -ldflags (.goreleaser.yml); other
// builds fall back to what the Go toolchain recorded: the module version for
// `go install ...@vX.Y.Z`, the VCS revision and time for a build in a git
// checkout.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Info identifies a build.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"go"`
	Platform  string `json:"platform"`
}

// Get returns the build's identity from the values -ldflags set (empty
// when not set), completed from the toolchain's record of the build.
func Get(version, commit, date string) Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(version, commit, date, bi)
}

func resolve(version, commit, date string, bi *debug.BuildInfo) Info {
	info := Info{Version: version, Commit: commit, Date: date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		var modified bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		// A dirty tree's revision is not the source that was built.
		if modified && commit == "" && info.Commit != "" {
			info.Commit += "-dirty"
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	return info
}

// String is the one-line form `jit-gate version` and the provider's
// -version print, e.g.
// "jit-gate 0.1.0 (commit 0123abc, built 2026-01-02T03:04:05Z, go1.26.8 linux/amd64)".
func (i Info) String(name string) string {
	commit, date := i.Commit, i.Date
	if commit == "" {
		commit = "unknown"
	}
	if date == "" {
		date = "unknown"
	}
	return fmt.Sprintf("%s %s (commit %s, built %s, %s %s)", name, i.Version, commit, date, i.GoVersion, i.Platform)
}
