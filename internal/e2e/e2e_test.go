// Package e2e runs the real Terraform with the real provider against the fake
// GitHub, then the jit-gate binary on the plans Terraform writes, and checks
// its exit code and JSON report. It needs TF_ACC=1, like acceptance tests, and
// takes Terraform from TF_ACC_TERRAFORM_PATH (`make test` sets both).
//
// Every test gets its own fake GitHub, seeded with the world of
// testdata/plans/fake-github/seed.json (org acme):
//
//   - alice opens the pull requests; she is in team sre, so an approver of the
//     oncall policy, but never of her own PR
//   - bob and carol approve oncall elevations directly, dave through team sre
//   - frank is in sre and pushes a commit to every PR
//   - mona is in devs (requesters) and sre; erin is a requester by name
//   - zed's invitation to devs is pending, so he requests nothing
//   - carol and dave form team platform, the governance approvers of the
//     trusted settings (.github/jit-gate.yml on main, the base of every PR)
//   - renovate[bot] is a bot; gatekeeper owns the token
//
// integrations/github resources are planned by the schema-only stand-in of
// testdata/providers/github-standin: only the plan JSON matters.
package e2e

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

const (
	token    = "test-token"                                                       // gatekeeper's, in the seed
	sealKey  = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e" // the apply environment's
	seedPath = "../../testdata/plans/fake-github/seed.json"
)

// Set by TestMain when TF_ACC is set; tests skip otherwise.
var (
	binDir    string // terraform-provider-jit and jit-gate, built for this run
	terraform string
	seed      githubfake.Seed
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup:", err)
		return 2
	}
	defer os.RemoveAll(binDir)
	return m.Run()
}

func setup() error {
	terraform = os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		var err error
		if terraform, err = exec.LookPath("terraform"); err != nil {
			return errors.New("set TF_ACC_TERRAFORM_PATH (scripts/ensure-terraform.sh prints one)")
		}
	}
	data, err := os.ReadFile(seedPath)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &seed); err != nil {
		return fmt.Errorf("%s: %w", seedPath, err)
	}
	if binDir, err = os.MkdirTemp("", "jit-e2e"); err != nil {
		return err
	}
	for bin, pkg := range map[string]string{
		"terraform-provider-jit":    "github.com/jitgate/terraform-provider-jit",
		"jit-gate":                  "github.com/jitgate/terraform-provider-jit/cmd/jit-gate",
		"terraform-provider-github": "github.com/jitgate/terraform-provider-jit/testdata/providers/github-standin",
	} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, bin), pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("building %s: %v\n%s", bin, err, out)
		}
	}
	// With dev_overrides Terraform runs the provider built above and needs
	// no `terraform init`, hence no registry.
	return os.WriteFile(filepath.Join(binDir, "terraformrc"), []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "jitgate/jit"         = %q
    "integrations/github" = %[1]q
  }
  direct {}
}
`, binDir)), 0o644)
}

// workspace is one Terraform working directory with its own state and its
// own fake GitHub.
type workspace struct {
	dir         string
	gh          *githubfake.Fake
	main        string // acme/infra's main
	hasSettings bool
}

func newWorkspace(t *testing.T) *workspace {
	t.Helper()
	if binDir == "" {
		t.Skip("end-to-end: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does)")
	}
	gh := githubfake.New()
	t.Cleanup(gh.Close)
	gh.Load(seed)
	w := &workspace{dir: t.TempDir(), gh: gh, main: protectedBase}
	w.settings(trustedSettings)
	return w
}

// trustedSettings are acme/infra's .github/jit-gate.yml on main. The
// token is the jit-gate App's installation, which cannot read GET /user:
// gate_login names the account whose records apply mode trusts.
const trustedSettings = `governance_approvers: ["team:acme/platform"]
gate_login: jit-gate[bot]
`

// settings pushes a commit onto acme/infra's main that sets the trusted
// settings file to content ("" removes it); pull requests opened after it
// have it as their base, and drift checks check it.
func (w *workspace) settings(content string) {
	rc := githubfake.RepoCommit{Branch: "main", Author: "carol", Message: "settings", Files: map[string]string{"main.tf": header}}
	rc.Parents = []string{w.main}
	if content != "" {
		rc.Files[settingsPath] = content
	} else if w.hasSettings {
		rc.Deleted = []string{settingsPath}
	}
	w.hasSettings = content != ""
	w.main = w.gh.PushCommit("acme", "infra", rc)
}

const settingsPath = ".github/jit-gate.yml"

// merge merges pull request n as commit sha(n, 100), a squash onto main,
// and returns that commit.
func (w *workspace) merge(n int) string {
	w.main = w.gh.PushCommit("acme", "infra", githubfake.RepoCommit{SHA: sha(n, 100), Parents: []string{w.main}, Branch: "main", Author: "carol",
		Message: fmt.Sprintf("Merge pull request #%d", n)})
	w.gh.MergePR("acme", "infra", n, w.main)
	return w.main
}

// header configures the provider through GITHUB_TOKEN and GITHUB_API_URL, as
// a workflow would.
const header = `terraform {
  required_providers {
    jit    = { source = "jitgate/jit" }
    github = { source = "integrations/github" }
  }
}

provider "jit" {}
`

// terraformCmd is terraform ARGS in the workspace, with only the environment
// it needs, so that the caller's GITHUB_* variables cannot leak in.
func (w *workspace) terraformCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(terraform, args...)
	cmd.Dir = w.dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"TF_CLI_CONFIG_FILE=" + filepath.Join(binDir, "terraformrc"),
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"GITHUB_TOKEN=" + token,
		"GITHUB_API_URL=" + w.gh.URL(),
	}
	return cmd
}

// terraform runs terraform ARGS and returns its stdout; it fails the test if
// Terraform fails.
func (w *workspace) terraform(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := w.terraformCmd(append(args, "-no-color")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out
}

// write makes resources (HCL) the workspace's configuration.
func (w *workspace) write(t *testing.T, resources string) {
	t.Helper()
	w.writeFile(t, "main.tf", []byte(header+resources))
}

func (w *workspace) apply(t *testing.T, resources string) {
	t.Helper()
	w.write(t, resources)
	w.terraform(t, "apply", "-input=false", "-auto-approve")
}

// plan saves a plan of resources and returns the path of its
// `terraform show -json`.
func (w *workspace) plan(t *testing.T, resources string) string {
	t.Helper()
	w.write(t, resources)
	w.terraform(t, "plan", "-input=false", "-out=plan.bin")
	return w.show(t, "plan.bin")
}

func (w *workspace) show(t *testing.T, planFile string) string {
	t.Helper()
	return w.writeFile(t, planFile+".json", w.terraform(t, "show", "-json", planFile))
}

func (w *workspace) writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// result is one run of jit-gate check.
type result struct {
	code   int
	report gate.Report
	output string // stdout and stderr, for failure messages
}

// gate runs `jit-gate check --plan PLAN --format json ARGS` (and the saved
// plan PLAN was shown from, when there is one) against the
// fake's acme/infra, with env on top of the token and API URL. It checks that
// stdout is one report whose verdict matches the exit code.
func (w *workspace) gate(t *testing.T, planJSON string, env []string, args ...string) result {
	t.Helper()
	flags := []string{"check", "--plan", planJSON, "--format", "json"}
	if saved := strings.TrimSuffix(planJSON, ".json"); saved != planJSON {
		if _, err := os.Stat(saved); err == nil {
			flags = append(flags, "--saved-plan", saved) // as the workflows pass it
		}
	}
	cmd := exec.Command(filepath.Join(binDir, "jit-gate"), append(flags, args...)...)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"GITHUB_TOKEN=" + token,
		"GITHUB_API_URL=" + w.gh.URL(),
		"GITHUB_REPOSITORY=acme/infra",
		"GITHUB_SHA=" + w.main, // what a drift check checks; apply mode passes the merge commit
	}, env...)
	if slices.Contains(args, "--mode=apply") {
		// The apply job's environment holds the seal key: apply mode
		// attributes each request from the sealed records.
		cmd.Env = append(cmd.Env, "JIT_GATE_SEAL_KEY="+sealKey)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var exit *exec.ExitError
	if err := cmd.Run(); err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	res := result{code: cmd.ProcessState.ExitCode(), output: stdout.String() + stderr.String()}
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res.report); err != nil || dec.More() {
		t.Fatalf("jit-gate stdout is not one JSON report (%v):\n%s", err, res.output)
	}
	verdicts := map[int]string{0: gate.VerdictPass, 1: gate.VerdictBlocked, 2: gate.VerdictError}
	if res.report.Verdict != verdicts[res.code] {
		t.Fatalf("exit %d with verdict %q:\n%s", res.code, res.report.Verdict, res.output)
	}
	return res
}

// check is the usual round: write resources, plan, show, run the gate.
func (w *workspace) check(t *testing.T, resources string, args ...string) result {
	t.Helper()
	return w.gate(t, w.plan(t, resources), nil, args...)
}

// expect fails the test unless the run exited with code and its violations
// are exactly of the given rules (any number of each).
func (r result) expect(t *testing.T, code int, rules ...string) {
	t.Helper()
	var got []string
	for _, v := range r.report.Violations {
		if !slices.Contains(got, v.Rule) {
			got = append(got, v.Rule)
		}
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(rules))
	if r.code != code || !slices.Equal(got, want) {
		t.Errorf("exit %d with rules %q, want exit %d with %q\n%s", r.code, got, code, want, r.output)
	}
}

// review is one pull request review; onFirst gives it on the PR's first
// commit, so it is stale once the head has moved on.
type review struct {
	login, state string
	onFirst      bool
}

func approvals(logins ...string) []review {
	out := make([]review, len(logins))
	for i, l := range logins {
		out[i] = review{login: l, state: gate.StateApproved}
	}
	return out
}

// openPR opens a pull request by alice on acme/infra with two commits, the
// second by frank, then adds the reviews in order. It returns the PR number.
func (w *workspace) openPR(reviews ...review) int {
	n := w.gh.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice", Title: "Request access"})
	w.gh.AddCommit("acme", "infra", n, sha(n, 1), "alice", "alice")
	w.gh.AddCommit("acme", "infra", n, sha(n, 2), "frank", "frank")
	for _, r := range reviews {
		commit := ""
		if r.onFirst {
			commit = sha(n, 1)
		}
		w.gh.AddReview("acme", "infra", n, r.login, r.state, commit)
	}
	return n
}

// sha is the id of commit i of pull request n: 40 hex digits.
func sha(n, i int) string { return fmt.Sprintf("%036x%04x", n, i) }

func prFlag(n int) string { return "--pr=" + strconv.Itoa(n) }

// oncallPolicy is the policy most tests apply first: elevations under it
// need two approvals, a reason of 20 characters naming a ticket, a requester
// and at most one active elevation per principal.
var oncallPolicy = oncallWith("", "")

// oncallWith is oncallPolicy with max_duration and approvers replaced by HCL
// expressions; empty ones keep oncallPolicy's.
func oncallWith(maxDuration, approvers string) string {
	return fmt.Sprintf(`
resource "jit_optout_policy" "oncall" {
  name                     = "oncall"
  scopes                   = ["github:team:acme/oncall", "github:repo:acme/*:push"]
  max_duration             = %s
  required_approvals       = 2
  approvers                = %s
  requesters               = ["erin", "team:acme/devs"]
  max_active_per_principal = 1

  reason {
    min_length = 20
    pattern    = "OPS-[0-9]+"
  }
}
`, cmp.Or(maxDuration, `"4h"`), cmp.Or(approvers, `["bob", "carol", "team:acme/sre"]`))
}

// elevation is a jit_elevation block. Its fields are HCL expressions; empty
// ones take the values of a request under oncallPolicy that meets every rule.
type elevation struct {
	name, policyID, principal, scope, reason, duration string
}

func (e elevation) String() string {
	return fmt.Sprintf(`
resource "jit_elevation" %q {
  policy_id = %s
  principal = %s
  scope     = %s
  reason    = %s
  duration  = %s
}
`, cmp.Or(e.name, "pager"), cmp.Or(e.policyID, "jit_optout_policy.oncall.id"), cmp.Or(e.principal, `"mona"`),
		cmp.Or(e.scope, `"github:team:acme/oncall"`), cmp.Or(e.reason, `"OPS-7 investigate the paging outage"`), cmp.Or(e.duration, `"2h"`))
}
