package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// binary is jit-gate built once for all tests, so they exercise the real
// flag parsing, output streams and exit codes.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jit-gate-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "jit-gate")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building jit-gate: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// gateRun runs the binary with only the given environment (plus PATH), so
// the GitHub Actions variables of whoever runs the tests do not leak in.
func gateRun(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func decode(t *testing.T, stdout string) gate.Report {
	t.Helper()
	var r gate.Report
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("stdout is not one report object: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout has more than one JSON value:\n%s", stdout)
	}
	return r
}

// emptyPlan is the smallest plan the reader accepts. It is used only to get
// past plan reading to a failure further on, never to show a pass.
const emptyPlan = `{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{"root_module":{}},"errored":false}`

func TestBadPlansExit2(t *testing.T) {
	plans := map[string]string{
		"malformed":    `{"format_version": "1.2", "resource_changes": [}`,
		"truncated":    `{"format_version":"1.2","resource_changes":[{"address":"jit_elevation.x","mode":"managed","type":"jit_elevation"`,
		"empty":        ``,
		"not json":     "plan: 1 to add\n",
		"array":        `[]`,
		"wrong format": `{"format_version":"2.0","resource_changes":[]}`,
		"no version":   `{"resource_changes":[]}`,
	}
	for name, content := range plans {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			out, summary := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
			path := writeFile(t, "plan.json", content)
			env := map[string]string{"GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": summary, "GITHUB_ACTIONS": "true"}
			res := gateRun(t, env, "check", "--plan", path, "--mode", "drift", "--format", "json")
			if res.code != exitError {
				t.Fatalf("exit %d, want 2\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
			}
			r := decode(t, res.stdout)
			if r.Verdict != gate.VerdictError || len(r.Violations) != 1 || r.Violations[0].Rule != gate.RulePlanInvalid {
				t.Errorf("report = %+v, want verdict error with one plan.invalid", r)
			}
			if got, _ := os.ReadFile(out); !strings.HasPrefix(string(got), "verdict=error\nrevocation_only=false\n") {
				t.Errorf("GITHUB_OUTPUT = %q", got)
			}
			if got, _ := os.ReadFile(summary); !strings.Contains(string(got), "### ⚠️ jit-gate: error\n") {
				t.Errorf("GITHUB_STEP_SUMMARY = %q", got)
			}
			if !strings.Contains(res.stderr, "\n::error title=plan.invalid::read plan ") {
				t.Errorf("stderr = %q, want the plan.invalid annotation (stdout is kept for the JSON)", res.stderr)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		res := gateRun(t, nil, "check", "--plan", filepath.Join(t.TempDir(), "nope.json"), "--mode", "drift")
		if res.code != exitError || !strings.Contains(res.stdout, "ERROR") {
			t.Errorf("exit %d, stdout %q", res.code, res.stdout)
		}
	})
}

func TestBadFlagsExit2(t *testing.T) {
	plan := writeFile(t, "plan.json", emptyPlan)
	for name, args := range map[string][]string{
		"no command":      {},
		"unknown command": {"frobnicate"},
		"record outcome":  {"record", "--plan", plan},
		"record mode":     {"record", "--plan", plan, "--outcome", "success", "--mode", "pr"},
		"audit no state":  {"audit"},
		"record no key":   {"record", "--plan", plan, "--outcome", "success"},
		"prune no state":  {"prune"},
		"prune no key":    {"prune", "--state", plan},
		"audit csv check": {"audit", "--verify", "--format", "csv"},
		"audit window":    {"audit", "--state", plan, "--since", "2026-03-02", "--until", "2026-03-01"},
		"audit bad scope": {"audit", "--state", plan, "--scope", "github:nope"},
		"audit pr":        {"audit", "--state", plan, "--pr", "3"},
		"audit a plan":    {"audit", "--state", plan},
		"unknown flag":    {"check", "--plan", plan, "--mode", "drift", "--nope"},
		"no plan":         {"check", "--mode", "drift"},
		"bad mode":        {"check", "--plan", plan, "--mode", "yolo"},
		"bad format":      {"check", "--plan", plan, "--mode", "drift", "--format", "yaml"},
		"comment drift":   {"check", "--plan", plan, "--mode", "drift", "--comment"},
		"pr in drift":     {"check", "--plan", plan, "--mode", "drift", "--pr", "3"},
		"stray argument":  {"check", "--plan", plan, "--mode", "drift", "extra"},
		"bad repo":        {"check", "--plan", plan, "--repo", "nope", "--pr", "1"},
		"sweep no plan":   {"sweep"},
		"sweep format":    {"sweep", "--plan", plan, "--format", "yaml"},
		"revoke no state": {"revoke"},
		"revoke format":   {"revoke", "--state", plan, "--format", "markdown"},
		"revoke stray":    {"revoke", "--state", plan, "extra"},
	} {
		t.Run(name, func(t *testing.T) {
			res := gateRun(t, map[string]string{"GITHUB_TOKEN": "t", "GITHUB_SHA": strings.Repeat("a", 40), "GITHUB_REPOSITORY": "acme/infra"}, args...)
			if res.code != exitError {
				t.Errorf("exit %d, want 2\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
			}
		})
	}
}

func TestRecordRefusesWhatIsNotASweep(t *testing.T) {
	plan := writeFile(t, "plan.json", emptyPlan)
	env := map[string]string{"GITHUB_TOKEN": "t", "GITHUB_SHA": strings.Repeat("a", 40), "GITHUB_REPOSITORY": "acme/infra", "JIT_GATE_SEAL_KEY": testKey}
	res := gateRun(t, env, "record", "--mode", "drift", "--plan", plan, "--outcome", "skipped", "--sweep", plan)
	if res.code != exitError || !strings.Contains(res.stderr, "not the JSON output of jit-gate sweep") {
		t.Errorf("exit %d, stderr %q", res.code, res.stderr)
	}
}

func TestMissingTokenExit2(t *testing.T) {
	plan := writeFile(t, "plan.json", emptyPlan)
	for _, mode := range []string{"pr", "apply"} {
		res := gateRun(t, map[string]string{"GITHUB_REPOSITORY": "acme/infra", "GITHUB_SHA": strings.Repeat("a", 40)},
			"check", "--plan", plan, "--mode", mode, "--format", "json")
		if res.code != exitError || !strings.Contains(res.stderr, "GITHUB_TOKEN is not set") {
			t.Errorf("%s mode: exit %d, stderr %q", mode, res.code, res.stderr)
		}
		if r := decode(t, res.stdout); r.Verdict != gate.VerdictError || len(r.Violations) != 0 {
			t.Errorf("%s mode: report = %+v, want verdict error and no plan.invalid", mode, r)
		}
	}
}

// fakeGitHub serves a repository with one pull request to the binary.
func fakeGitHub(t *testing.T) (*githubfake.Fake, map[string]string) {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	f.AddUser("alice")
	f.AddUser("gatekeeper")
	f.AddOrg("acme")
	f.AddRepo("acme", "infra")
	f.SetCollaborator("acme", "infra", "gatekeeper", "push") // what the gate reads and writes needs it
	f.AddToken("tok", "gatekeeper")
	f.PushCommit("acme", "infra", githubfake.RepoCommit{Branch: "main", Files: map[string]string{"main.tf": ""}})
	return f, map[string]string{
		"GITHUB_TOKEN":      "tok",
		"GITHUB_API_URL":    f.URL(),
		"GITHUB_REPOSITORY": "acme/infra",
		"GITHUB_ACTIONS":    "true",
		"JIT_GATE_SEAL_KEY": testKey,
	}
}

// testKey is a seal key; no output, comment or error may ever show it.
var testKey = "k3y-" + strings.Repeat("0123456789", 5)

func TestAPIFailureExit2(t *testing.T) {
	f, env := fakeGitHub(t)
	n := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice"})
	plan := writeFile(t, "plan.json", emptyPlan)
	event := func(number int) string {
		return writeFile(t, "event.json", fmt.Sprintf(`{"pull_request":{"number":%d,"head":{"sha":"%s"}}}`, number, strings.Repeat("b", 40)))
	}
	tests := []struct {
		name   string
		number int
		fault  *githubfake.Fault
	}{
		{"pull request not found", n + 1, nil},
		// ghclient retries with real waits (about 10s); -short skips this.
		{"server error after retries", n, &githubfake.Fault{Method: "GET", PathPrefix: "/repos/acme/infra/pulls/", Status: http.StatusBadGateway, Times: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				if testing.Short() {
					t.Skip("waits for real retries")
				}
				f.InjectFault(*tc.fault)
				defer f.ClearFaults()
			}
			env["GITHUB_EVENT_PATH"] = event(tc.number)
			res := gateRun(t, env, "check", "--plan", plan, "--comment")
			if res.code != exitError {
				t.Fatalf("exit %d, want 2\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
			}
			if !strings.Contains(res.stdout, "::error title=jit-gate error::reading pull request acme/infra#") {
				t.Errorf("no error annotation in stdout:\n%s", res.stdout)
			}
			if len(f.Comments("acme", "infra", n)) != 0 {
				t.Error("commented although the facts could not be read")
			}
		})
	}
}

func TestApplyWithoutMergedPRExit2(t *testing.T) {
	_, env := fakeGitHub(t)
	env["GITHUB_SHA"] = strings.Repeat("c", 40)
	plan := writeFile(t, "plan.json", emptyPlan)
	res := gateRun(t, env, "check", "--plan", plan, "--mode", "apply", "--format", "json")
	if res.code != exitError || !strings.Contains(res.stderr, "is not the merge of any pull request") {
		t.Errorf("exit %d, stderr %q", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "::error title=jit-gate error::") {
		t.Errorf("json format: the annotation belongs on stderr, got stderr %q", res.stderr)
	}
	decode(t, res.stdout)
}

func TestHelp(t *testing.T) {
	if res := gateRun(t, nil, "--help"); res.code != exitPass || !strings.Contains(res.stdout, "jit-gate check") {
		t.Errorf("--help: exit %d, stdout %q", res.code, res.stdout)
	}
	if res := gateRun(t, nil, "check", "-h"); res.code != exitPass || !strings.Contains(res.stderr, "-governance-approvers") {
		t.Errorf("check -h: exit %d, stderr %q", res.code, res.stderr)
	}
}

func TestAuditCommand(t *testing.T) {
	state := writeFile(t, "state.json", `{"format_version":"1.0","values":{"root_module":{"resources":[
	  {"address":"jit_elevation.mona","mode":"managed","type":"jit_elevation","name":"mona","values":{
	    "principal":"mona","scope":"github:team:acme/oncall","status":"expired","reason":"=cmd|' /C calc'!A0",
	    "granted_at":"2026-03-01T10:00:00Z","expires_at":"2026-03-01T12:00:00Z","revoked_at":"2026-03-01T12:17:00Z",
	    "history":[{"at":"2026-03-01T10:00:00Z","event":"granted","detail":""}]}}]}}}`)
	res := gateRun(t, nil, "audit", "--state", state, "--format", "csv", "--until", "2026-03-01T10:00:01Z")
	if want := "jit_elevation.mona,mona,github:team:acme/oncall,expired,2026-03-01T10:00:00Z,2026-03-01T12:00:00Z,2026-03-01T12:17:00Z,'=cmd|' /C calc'!A0,,,,,,2026-03-01T10:00:00Z granted,,\n"; res.code != exitPass ||
		!strings.HasSuffix(res.stdout, want) || !strings.Contains(res.stderr, "not joined") {
		t.Errorf("audit csv: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := gateRun(t, nil, "audit", "--state", state, "--since", "2026-03-02"); res.code != exitPass || !strings.Contains(res.stdout, "### jit-gate audit: 0 grants") {
		t.Errorf("audit outside the window: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	f, env := fakeGitHub(t)
	n := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice"})
	if res := gateRun(t, env, "audit", "--verify", "--pr", fmt.Sprint(n)); res.code != exitPass || !strings.Contains(res.stdout, "the trail checks") {
		t.Errorf("verify: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	f.AddComment("acme", "infra", n, "alice", "<!-- jit-gate v2 kind=check head=abc -->\n**Verdict: pass**")
	res = gateRun(t, env, "audit", "--verify", "--pr", fmt.Sprint(n), "--format", "json")
	if res.code != exitBlocked || !strings.Contains(res.stdout, `"problem": "foreign"`) {
		t.Errorf("verify a forged comment: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// --gate-login names the gate's account when the token is someone
	// else's: then alice's check report is the gate's own.
	if res := gateRun(t, env, "audit", "--verify", "--pr", fmt.Sprint(n), "--gate-login", "alice"); res.code != exitPass || !strings.Contains(res.stdout, "Gate account: alice") {
		t.Errorf("verify as alice: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// Without a key there is nothing to verify records with.
	delete(env, "JIT_GATE_SEAL_KEY")
	if res := gateRun(t, env, "audit", "--verify"); res.code != exitError || !strings.Contains(res.stderr, "JIT_GATE_SEAL_KEY") {
		t.Errorf("verify without a key: exit %d\n%s", res.code, res.stderr)
	}
	if res := gateRun(t, env, "audit"); res.code != exitError || !strings.Contains(res.stderr, "no seal key") {
		t.Errorf("audit from the records without a key: exit %d\n%s", res.code, res.stderr)
	}
}

// The seal key never shows: not in what record, audit or prune print, not
// in any comment or issue they write, not in errors about a bad key, not
// with GitHub failing.
func TestSealKeyNeverShows(t *testing.T) {
	f, env := fakeGitHub(t)
	env["GITHUB_SHA"] = strings.Repeat("a", 40)
	f.PushCommit("acme", "infra", githubfake.RepoCommit{SHA: env["GITHUB_SHA"], Parents: []string{f.Snapshot().Repos[0].Branches["main"]}, Branch: "main"})
	plan := writeFile(t, "plan.json", emptyPlan)
	state := writeFile(t, "state.json", `{"format_version":"1.0","values":{"root_module":{"resources":[
	  {"address":"jit_elevation.mona","mode":"managed","type":"jit_elevation","name":"mona","values":{"id":"elev-1",
	    "principal":"mona","scope":"github:team:acme/oncall","status":"expired","reason":"pager storm on payments, secondary",
	    "granted_at":"2026-03-01T10:00:00Z","expires_at":"2026-03-01T12:00:00Z","revoked_at":"2026-03-01T12:17:00Z"}}]}}}`)
	var seen []string
	runs := [][]string{
		{"prune", "--state", state},
		{"record", "--mode", "drift", "--plan", plan, "--state", state, "--outcome", "success"},
		{"audit"},
		{"audit", "--verify", "--state", state},
		{"audit", "--verify", "--format", "json"},
	}
	for _, args := range runs {
		res := gateRun(t, env, args...)
		seen = append(seen, res.stdout, res.stderr)
	}
	if !strings.Contains(seen[0], "remove  jit_elevation.mona: archived") || !strings.Contains(seen[6], "the trail checks") {
		t.Errorf("the runs did not do their work:\n%s", strings.Join(seen, "\n"))
	}
	f.InjectFault(githubfake.Fault{Status: http.StatusBadGateway, Times: -1})
	res := gateRun(t, env, "prune", "--state", state)
	seen = append(seen, res.stdout, res.stderr)
	f.ClearFaults()
	for _, bad := range []string{testKey[:20], "short-" + testKey[:10], testKey + " " + testKey[:8]} {
		env["JIT_GATE_SEAL_KEY"], env["JIT_GATE_SEAL_KEYS"] = testKey, bad
		res := gateRun(t, env, "audit", "--verify")
		if res.code != exitError {
			t.Errorf("bad key %q accepted: exit %d", bad, res.code)
		}
		seen = append(seen, res.stdout, res.stderr)
	}
	for _, is := range f.Issues("acme", "infra") {
		seen = append(seen, is.Title, is.Body)
		for _, c := range f.Comments("acme", "infra", is.Number) {
			seen = append(seen, c.Body)
		}
	}
	for _, s := range seen {
		for _, secret := range []string{testKey[:12], testKey[len(testKey)-12:], "short-"} {
			if strings.Contains(s, secret) {
				t.Errorf("the seal key shows in:\n%s", s)
			}
		}
	}
}

// With a repository in play the settings come from it: a flag that would
// stand in for them is refused, whatever it says. A local run takes them
// from --settings, and an unreadable or invalid file is an error.
func TestSettingsFlags(t *testing.T) {
	plan := writeFile(t, "plan.json", emptyPlan)
	good := writeFile(t, "jit-gate.yml", "governance_approvers: [carol]\n")
	bad := writeFile(t, "bad.yml", "governance_approvers: [carol]\nunguarded_approvals: 0\n")
	repo := map[string]string{"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "acme/infra", "GITHUB_SHA": strings.Repeat("a", 40)}
	for name, tt := range map[string]struct {
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		"governance approvers with a repository": {repo, []string{"--mode", "pr", "--pr", "1", "--governance-approvers", "mallory"}, exitError,
			"--governance-approvers is for local runs only: with a repository in play (acme/infra)"},
		"empty governance approvers with a repository": {repo, []string{"--mode", "apply", "--governance-approvers", ""}, exitError,
			"--governance-approvers is for local runs only"},
		"settings with a repository": {repo, []string{"--mode", "drift", "--settings", good}, exitError, "--settings is for local runs only"},
		"drift with a repository, no GITHUB_SHA": {map[string]string{"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "acme/infra"}, []string{"--mode", "drift"}, exitError,
			"GITHUB_SHA is not set: drift mode reads the trusted settings"},
		"drift with a repository, no token": {map[string]string{"GITHUB_REPOSITORY": "acme/infra", "GITHUB_SHA": "a"}, []string{"--mode", "drift"}, exitError,
			"GITHUB_TOKEN is not set: drift mode reads the trusted settings of acme/infra"},
		"local settings file":         {nil, []string{"--mode", "drift", "--settings", good}, exitPass, ""},
		"local invalid settings file": {nil, []string{"--mode", "drift", "--settings", bad}, exitError, "line 2: unguarded_approvals: want a whole number from 1 to 10"},
		"local missing settings file": {nil, []string{"--mode", "drift", "--settings", filepath.Join(t.TempDir(), "none.yml")}, exitError, "read settings"},
		"local governance approvers":  {nil, []string{"--mode", "drift", "--governance-approvers", "carol,team:acme/leads"}, exitPass, ""},
	} {
		t.Run(name, func(t *testing.T) {
			res := gateRun(t, tt.env, append([]string{"check", "--plan", plan, "--format", "json"}, tt.args...)...)
			if res.code != tt.code || !strings.Contains(res.stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", res.code, res.stderr, tt.code, tt.stderr)
			}
			decode(t, res.stdout)
		})
	}
}
