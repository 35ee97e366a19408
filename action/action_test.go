// Package action_test runs the composite action in ../action.yml the way
// the GitHub runner does: each step's run script with bash, its env with
// the action's inputs, github context and earlier steps' outputs filled in.
// Releases are served by a file server on loopback, never the network.
package action_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"go.yaml.in/yaml/v3"
)

// repoRoot is the action's own tree: action.yml, action/ and the source.
const repoRoot = ".."

type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Name  string            `yaml:"name"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// run is one run of the action.
type run struct {
	code    int               // exit code of the step that ended the run (0: all passed)
	failed  string            // name of that step
	log     string            // stdout and stderr of all steps, as the job log shows them
	outputs map[string]string // the action's outputs
}

// runner holds what the runner provides to the action.
type runner struct {
	actionPath string            // github.action_path
	inputs     map[string]string // with: (unset inputs take their defaults)
	env        map[string]string // the job's environment (RUNNER_OS etc. default to this machine)
	temp       string            // RUNNER_TEMP
}

var expr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

func loadAction(t testing.TB, dir string) actionFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using = %q, this runner knows composite only", a.Runs.Using)
	}
	return a
}

// runAction runs the action's steps in order until one fails.
func (r runner) runAction(t testing.TB) run {
	t.Helper()
	a := loadAction(t, r.actionPath)
	if r.temp == "" {
		r.temp = t.TempDir()
	}
	inputs := map[string]string{}
	for name, in := range a.Inputs {
		inputs[name] = in.Default
	}
	for name, v := range r.inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("action.yml has no input %q", name)
		}
		inputs[name] = v
	}
	steps := map[string]map[string]string{}
	var log strings.Builder
	eval := func(s string) string {
		return expr.ReplaceAllStringFunc(s, func(m string) string {
			e := expr.FindStringSubmatch(m)[1]
			switch parts := strings.Split(e, "."); {
			case len(parts) == 2 && parts[0] == "inputs":
				return inputs[parts[1]]
			case e == "github.token":
				return "test-token"
			case e == "github.action_repository":
				return "jitgate/terraform-provider-jit"
			case e == "github.action_path":
				return r.actionPath
			case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
				return steps[parts[1]][parts[3]]
			}
			t.Fatalf("action.yml uses an expression this runner does not know: %s", m)
			return ""
		})
	}
	res := run{outputs: map[string]string{}}
	for i, step := range a.Runs.Steps {
		if step.Shell != "bash" {
			t.Fatalf("step %q: shell %q, want bash", step.Name, step.Shell)
		}
		// Inputs reach scripts through env only: an expression expanded
		// into the script would let an input inject shell.
		if expr.MatchString(step.Run) {
			t.Fatalf("step %q expands an expression into its script: %s", step.Name, step.Run)
		}
		script := filepath.Join(r.temp, fmt.Sprintf("step%d.sh", i))
		out := filepath.Join(r.temp, fmt.Sprintf("output%d", i))
		if err := os.WriteFile(script, []byte(step.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		env := map[string]string{
			"PATH":                os.Getenv("PATH"),
			"HOME":                os.Getenv("HOME"),
			"RUNNER_OS":           runnerOS(runtime.GOOS),
			"RUNNER_ARCH":         runnerArch(runtime.GOARCH),
			"RUNNER_TEMP":         r.temp,
			"GITHUB_ACTION_PATH":  r.actionPath,
			"GITHUB_OUTPUT":       out,
			"GITHUB_STEP_SUMMARY": filepath.Join(r.temp, "summary.md"),
			"GITHUB_SERVER_URL":   "https://github.invalid",
			"GOFLAGS":             os.Getenv("GOFLAGS"),
			"GOCACHE":             goEnv(t, "GOCACHE"),
			"GOMODCACHE":          goEnv(t, "GOMODCACHE"),
			"GOPROXY":             goEnv(t, "GOPROXY"),
			"GITHUB_ACTIONS":      "true",
			"CHECKPOINT_DISABLE":  "1",
		}
		for k, v := range r.env {
			env[k] = v
		}
		for k, v := range step.Env {
			env[k] = eval(v)
		}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		log.WriteString(buf.String())
		if step.ID != "" {
			steps[step.ID] = readOutputs(t, out)
		}
		if err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatal(err)
			}
			res.code, res.failed = cmd.ProcessState.ExitCode(), step.Name
			break
		}
	}
	res.log = log.String()
	for name, o := range a.Outputs {
		res.outputs[name] = eval(o.Value)
	}
	return res
}

// readOutputs reads a GITHUB_OUTPUT file: name=value lines and
// name<<DELIMITER blocks.
func readOutputs(t testing.TB, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var value []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				value = append(value, lines[i])
			}
			outs[name] = strings.Join(value, "\n")
			continue
		}
		if name, value, ok := strings.Cut(line, "="); ok {
			outs[name] = value
		}
	}
	return outs
}

func runnerOS(goos string) string {
	return map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[goos]
}

func runnerArch(goarch string) string {
	return map[string]string{"amd64": "X64", "arm64": "ARM64"}[goarch]
}

func goEnv(t testing.TB, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// release is a published jit-gate release: the binary for this machine,
// served on loopback as the GitHub release would serve it.
type release struct {
	version string
	asset   string // jit-gate_VERSION_OS_ARCH[.exe]
	binary  []byte
	server  *httptest.Server
	served  atomic.Int32 // requests for the asset
}

var (
	builtOnce  = map[string][]byte{}
	hostSuffix = map[bool]string{true: ".exe", false: ""}[runtime.GOOS == "windows"]
)

// newRelease builds jit-gate as the release build does (version set by
// -ldflags) and serves it; tamper changes the bytes served, not the ones
// the checksum is taken of.
func newRelease(t testing.TB, version string, tamper func([]byte) []byte) *release {
	t.Helper()
	if runnerOS(runtime.GOOS) == "" || runnerArch(runtime.GOARCH) == "" {
		t.Skipf("no GitHub runner platform for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	bin, ok := builtOnce[version]
	if !ok {
		path := filepath.Join(t.TempDir(), "jit-gate")
		build := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+version, "-o", path, "./cmd/jit-gate")
		build.Dir = repoRoot
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building jit-gate: %v\n%s", err, out)
		}
		var err error
		if bin, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
		builtOnce[version] = bin
	}
	rel := &release{
		version: version,
		asset:   fmt.Sprintf("jit-gate_%s_%s_%s%s", version, runtime.GOOS, runtime.GOARCH, hostSuffix),
		binary:  bin,
	}
	served := bin
	if tamper != nil {
		served = tamper(bytes.Clone(bin))
	}
	rel.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/v"+version+"/"+rel.asset {
			http.NotFound(w, req)
			return
		}
		rel.served.Add(1)
		_, _ = w.Write(served) // a client that went away fails on its side
	}))
	t.Cleanup(rel.server.Close)
	return rel
}

func (rel *release) sum() string {
	h := sha256.Sum256(rel.binary)
	return hex.EncodeToString(h[:])
}

// pinnedTree is the action's tree at a release tag: action.yml and the
// install script from this checkout, and the checksums file the release
// workflow commits (content "" leaves it out, as on main).
func pinnedTree(t testing.TB, sums string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "action"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"action.yml", "action/install.sh"} {
		data, err := os.ReadFile(filepath.Join(repoRoot, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if sums != "" {
		if err := os.WriteFile(filepath.Join(dir, "action", "jit-gate.sha256"), []byte(sums), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sumsFile is the checksums file as scripts/jit-gate-sums.sh writes it for a
// release: every platform, this machine's with the real checksum.
func sumsFile(rel *release) string {
	var b strings.Builder
	for _, p := range []string{"darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64", "windows_amd64.exe"} {
		name := "jit-gate_" + rel.version + "_" + p
		sum := strings.Repeat("0", 64)
		if name == rel.asset {
			sum = rel.sum()
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	return b.String()
}

const drillPlan = "../testdata/plans/expired.json"

func TestReleaseInstallRunsTheVerifiedBinary(t *testing.T) {
	rel := newRelease(t, "9.8.7", nil)
	r := runner{
		actionPath: pinnedTree(t, sumsFile(rel)),
		inputs:     map[string]string{"plan": drillPlan, "mode": "drift", "comment": "false", "release-url": rel.server.URL},
	}.runAction(t)
	if r.code != 0 {
		t.Fatalf("step %q exited %d:\n%s", r.failed, r.code, r.log)
	}
	if !strings.Contains(r.log, "jit-gate 9.8.7 (") {
		t.Errorf("the log does not show the released version running:\n%s", r.log)
	}
	if got := rel.served.Load(); got != 1 {
		t.Errorf("the release asset was downloaded %d times, want 1", got)
	}
	got, err := os.ReadFile(r.outputs["path"])
	if err != nil || !bytes.Equal(got, rel.binary) {
		t.Errorf("output path %q is not the released binary (err %v)", r.outputs["path"], err)
	}
	// The downloaded gate judged the plan: an expired elevation's revocation.
	if r.outputs["verdict"] != "pass" || r.outputs["revocation-only"] != "true" {
		t.Errorf("outputs = %v, want verdict pass and revocation-only true\n%s", r.outputs, r.log)
	}
}

func TestReleaseInstallRefusesATamperedBinary(t *testing.T) {
	rel := newRelease(t, "9.8.7", func(b []byte) []byte {
		b[len(b)/2] ^= 0xff
		return b
	})
	temp := t.TempDir()
	r := runner{
		actionPath: pinnedTree(t, sumsFile(rel)),
		inputs:     map[string]string{"plan": drillPlan, "mode": "drift", "comment": "false", "release-url": rel.server.URL},
		temp:       temp,
	}.runAction(t)
	if r.code != 2 || r.failed != "Install jit-gate" {
		t.Fatalf("got exit %d in step %q, want exit 2 in the install step:\n%s", r.code, r.failed, r.log)
	}
	for _, want := range []string{"::error title=jit-gate install::refusing ", "its SHA-256 is ", "pins " + rel.sum(), "not the released jit-gate 9.8.7"} {
		if !strings.Contains(r.log, want) {
			t.Errorf("log lacks %q:\n%s", want, r.log)
		}
	}
	if r.outputs["verdict"] != "" {
		t.Errorf("the gate ran after a refused install: verdict %q", r.outputs["verdict"])
	}
	entries, _ := filepath.Glob(filepath.Join(temp, "jit-gate*"))
	if len(entries) != 0 {
		t.Errorf("the refused download was left behind: %v", entries)
	}
}

func TestReleaseInstallRefusesWithoutAPinnedChecksum(t *testing.T) {
	rel := newRelease(t, "9.8.7", nil)
	onlyOthers := regexp.MustCompile(`(?m)^.*`+regexp.QuoteMeta(rel.asset)+`\n`).ReplaceAllString(sumsFile(rel), "")
	tests := []struct {
		name, sums, want string
	}{
		{"no entry for this platform", onlyOthers, "has no checksum for " + runtime.GOOS + "/" + runtime.GOARCH},
		{"no checksums file (main, or a provider tag)", "", "this ref of the action pins no released jit-gate"},
		{"two entries for this platform", sumsFile(rel) + rel.sum() + "  " + rel.asset + "\n", "more than one checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runner{
				actionPath: pinnedTree(t, tt.sums),
				inputs:     map[string]string{"plan": drillPlan, "mode": "drift", "comment": "false", "release-url": rel.server.URL},
			}.runAction(t)
			if r.code != 2 || !strings.Contains(r.log, tt.want) {
				t.Errorf("got exit %d, want 2 with %q:\n%s", r.code, tt.want, r.log)
			}
			if rel.served.Load() != 0 {
				t.Errorf("downloaded a binary it had no checksum for")
			}
		})
	}
}

func TestReleaseInstallFailsClosed(t *testing.T) {
	rel := newRelease(t, "9.8.7", nil)
	tests := []struct {
		name   string
		inputs map[string]string
		env    map[string]string
		want   string
	}{
		{"release not found", map[string]string{"release-url": rel.server.URL + "/elsewhere"}, nil, "downloading " + rel.server.URL + "/elsewhere/v9.8.7/" + rel.asset + " failed"},
		{"runner without a release binary", map[string]string{"release-url": rel.server.URL}, map[string]string{"RUNNER_ARCH": "ARM"}, "no released jit-gate for runner architecture 'ARM'; use install: source"},
		{"unknown install input", map[string]string{"install": "latest"}, nil, `input install must be "release" or "source", got "latest"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.inputs["plan"] = drillPlan
			r := runner{actionPath: pinnedTree(t, sumsFile(rel)), inputs: tt.inputs, env: tt.env}.runAction(t)
			if r.code != 2 || !strings.Contains(r.log, tt.want) {
				t.Errorf("got exit %d, want 2 with %q:\n%s", r.code, tt.want, r.log)
			}
		})
	}
}

func TestSourceInstallBuildsTheActionsOwnCheckout(t *testing.T) {
	abs, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	r := runner{
		actionPath: abs,
		inputs:     map[string]string{"plan": drillPlan, "mode": "drift", "comment": "false", "install": "source"},
	}.runAction(t)
	if r.code != 0 {
		t.Fatalf("step %q exited %d:\n%s", r.failed, r.code, r.log)
	}
	if !strings.Contains(r.log, "jit-gate dev (") || r.outputs["verdict"] != "pass" {
		t.Errorf("want a source build (version dev) that judged the plan; outputs %v\n%s", r.outputs, r.log)
	}

	// Without Go on PATH, the error says what to add.
	r = runner{
		actionPath: abs,
		inputs:     map[string]string{"plan": drillPlan, "install": "source"},
		env:        map[string]string{"PATH": "/usr/bin:/bin"},
	}.runAction(t)
	if _, err := os.Stat("/usr/bin/go"); err == nil {
		t.Skip("/usr/bin/go exists")
	}
	if r.code != 2 || !strings.Contains(r.log, "add actions/setup-go") {
		t.Errorf("got exit %d, want 2 naming actions/setup-go:\n%s", r.code, r.log)
	}
}
