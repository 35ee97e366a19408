package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// tfWorld is a Terraform working directory using the provider built from
// this checkout, against an in-process fake GitHub.
type tfWorld struct {
	dir, terraform, rc string
	gh                 *githubfake.Fake
	gateEnv            map[string]string
}

const (
	providerToken = "provider-token"
	gateToken     = "gate-token"
)

func newTFWorld(t *testing.T) *tfWorld {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("needs Terraform: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does)")
	}
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		var err error
		if terraform, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("set TF_ACC_TERRAFORM_PATH (scripts/ensure-terraform.sh prints one)")
		}
	}
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-jit"), "github.com/jitgate/terraform-provider-jit").CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(bin, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides { \"jitgate/jit\" = %q }\n  direct {}\n}\n", bin)), 0o644); err != nil {
		t.Fatal(err)
	}

	gh := githubfake.New()
	t.Cleanup(gh.Close)
	for _, u := range []string{"jit-bot", "gatekeeper", "alice", "bob", "mona", "carol", "dave", "lead", "mallory"} {
		gh.AddUser(u)
	}
	gh.AddOrg("acme")
	gh.SetOrgMember("acme", "jit-bot", "admin")
	for _, u := range []string{"mona", "carol", "dave"} {
		gh.SetOrgMember("acme", u, "member")
	}
	gh.AddTeam("acme", "oncall")
	gh.AddRepo("acme", "infra")
	gh.AddToken(providerToken, "jit-bot")
	gh.SetCollaborator("acme", "infra", "gatekeeper", "push") // what the gate reads and writes needs it
	gh.AddToken(gateToken, "gatekeeper")
	return &tfWorld{dir: t.TempDir(), terraform: terraform, rc: rc, gh: gh, gateEnv: map[string]string{
		"GITHUB_TOKEN":      gateToken,
		"GITHUB_API_URL":    gh.URL(),
		"GITHUB_REPOSITORY": "acme/infra",
		"GITHUB_SERVER_URL": "https://github.example",
		"GITHUB_RUN_ID":     "42",
	}}
}

// tf runs terraform in the working directory; sha is GITHUB_SHA, which the
// provider records as granted_by_commit.
func (w *tfWorld) tf(t *testing.T, sha string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(w.terraform, append(args, "-no-color")...)
	cmd.Dir = w.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TF_CLI_CONFIG_FILE=" + w.rc,
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "GITHUB_SHA=" + sha,
		// The provider's GitHub comes from the environment, as the gate trusts it.
		"GITHUB_TOKEN=" + providerToken, "GITHUB_API_URL=" + w.gh.URL()}
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("terraform %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// apply plans resources, applies the plan as commit sha and returns the
// paths of the plan's and the new state's `terraform show -json`.
func (w *tfWorld) apply(t *testing.T, sha, name, resources string) (planJSON, stateJSON string) {
	t.Helper()
	config := fmt.Sprintf(`terraform {
  required_providers {
    jit = { source = "jitgate/jit" }
  }
}

provider "jit" {}
%s`, resources)
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	w.tf(t, sha, "plan", "-input=false", "-out="+name+".tfplan")
	planJSON = w.save(t, name+".plan.json", w.tf(t, sha, "show", "-json", name+".tfplan"))
	w.tf(t, sha, "apply", "-input=false", name+".tfplan")
	return planJSON, w.save(t, name+".state.json", w.tf(t, sha, "show", "-json"))
}

func (w *tfWorld) save(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gate runs jit-gate with the gate's token and the Actions variables, plus env.
func (w *tfWorld) gate(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	all := map[string]string{}
	for k, v := range w.gateEnv {
		all[k] = v
	}
	for k, v := range env {
		all[k] = v
	}
	return gateRun(t, all, args...)
}

const oncallPolicy = `
resource "jit_optout_policy" "oncall" {
  name               = "oncall"
  scopes             = ["github:team:acme/oncall"]
  max_duration       = "2h"
  required_approvals = 1
  approvers          = ["bob"]

  break_glass {
    enabled            = true
    max_duration       = "1h"
    required_approvals = 0
    review_within      = "2s"
  }
}
`

func elevationHCL(name, principal, duration string, extra string) string {
	return fmt.Sprintf(`
resource "jit_elevation" %q {
  policy_id = jit_optout_policy.oncall.id
  principal = %q
  scope     = "github:team:acme/oncall"
  reason    = "Pager storm on payments, %s takes the pager"
  ticket    = "INC-4711"
  duration  = %q
  %s
}
`, name, principal, principal, duration, extra)
}

// The audit trail on real Terraform: the grants of a merged pull request are
// recorded on it, the revocation after expiry on the audit-log issue, the
// state answers who held the scope when with the approvers joined, and a
// hand-edited record fails verification.
func TestAuditTrailTerraform(t *testing.T) {
	w := newTFWorld(t)
	const merge = "1111111111111111111111111111111111111111"
	const prHead = "aaaa000000000000000000000000000000000001"

	w.apply(t, "", "policy", oncallPolicy)

	// PR #1 by alice asks for mona (3s), carol (1h) and a break-glass hour
	// for dave; bob approves, it is merged and applied.
	pr := w.gh.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice"})
	w.gh.AddCommit("acme", "infra", pr, prHead, "alice", "alice")
	w.gh.AddReview("acme", "infra", pr, "bob", "APPROVED", prHead)
	w.gh.MergePR("acme", "infra", pr, merge)
	// main is the merge commit, without settings: the defaults are trusted.
	w.gh.PushCommit("acme", "infra", githubfake.RepoCommit{SHA: merge, Branch: "main", Files: map[string]string{"main.tf": oncallPolicy}})
	// The fake's clock runs ahead of real time by one second per event: wait
	// until bob's approval is in the past, so it counts as given up front.
	client, err := ghclient.New(ghclient.Config{Token: gateToken, BaseURL: w.gh.URL()})
	if err != nil {
		t.Fatal(err)
	}
	facts, err := prfacts.Fetch(context.Background(), client, "acme", "infra", pr, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(facts.Reviews[0].SubmittedAt.Add(time.Second)))

	resources := oncallPolicy + elevationHCL("mona", "mona", "3s", "") + elevationHCL("carol", "carol", "1h", "") +
		elevationHCL("dave", "dave", "1h", "break_glass = true")
	plan1, state1 := w.apply(t, merge, "grant", resources)
	env := map[string]string{"GITHUB_SHA": merge}
	if res := w.gate(t, env, "record", "--plan", plan1, "--state", state1, "--outcome", "success"); res.code != exitPass ||
		!strings.Contains(res.stderr, "1 comment(s) on pull request #1") {
		t.Fatalf("record after apply: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	granted, err := audit.ReadStateFile(state1)
	if err != nil {
		t.Fatal(err)
	}
	comments := w.gh.Comments("acme", "infra", pr)
	if len(comments) != 1 {
		t.Fatalf("%d comments on the pull request, want the record", len(comments))
	}
	entry := comments[0]
	for _, g := range granted {
		want := fmt.Sprintf("| %s | %s | %s | github:team:acme/oncall | %s | %s |", report.Escape(g.Address), report.Escape(g.ID), g.Principal,
			report.Escape(g.GrantedAt), report.Escape(g.ExpiresAt))
		if !strings.Contains(entry.Body, want) {
			t.Errorf("record lacks %q:\n%s", want, entry.Body)
		}
		if got, ok := report.RecordedApprovers(entry.Body, g.Address); !ok || !slices.Equal(got, []string{"bob"}) {
			t.Errorf("%s: recorded approvers %q, %v", g.Address, got, ok)
		}
	}

	// mona's 3s run out; dave's break-glass hour has had no review for 2s.
	time.Sleep(4 * time.Second)
	plan2, state2 := w.apply(t, merge, "expiry", resources)
	check := w.gate(t, env, "check", "--plan", plan2, "--mode", "drift", "--format", "json")
	r := decode(t, check.stdout)
	if check.code != exitBlocked || len(r.Violations) != 1 || r.Violations[0].Rule != gate.RuleBreakGlassUnreviewed || r.Violations[0].Address != "jit_elevation.dave" ||
		len(r.Revocations) != 1 || r.Revocations[0].Address != "jit_elevation.mona" {
		t.Errorf("drift check: exit %d, %+v\n%s", check.code, r, check.stderr)
	}
	if res := w.gate(t, env, "record", "--mode", "drift", "--plan", plan2, "--state", state2, "--outcome", "success"); res.code != exitPass ||
		!strings.Contains(res.stderr, "1 comment(s) on the audit-log issue #2") {
		t.Fatalf("scheduled record: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	after, err := audit.ReadStateFile(state2)
	if err != nil {
		t.Fatal(err)
	}
	var mona audit.Grant
	for _, g := range after {
		if g.Principal == "mona" {
			mona = g
		}
	}
	if mona.Status != "expired" || mona.RevokedAt == "" {
		t.Fatalf("mona after expiry = %+v", mona)
	}
	issue := w.gh.Comments("acme", "infra", 2)
	if len(issue) != 1 {
		t.Fatalf("%d comments on the audit-log issue", len(issue))
	}
	for _, want := range []string{
		"| jit\\_elevation\\.mona | mona | github:team:acme/oncall | " + report.Escape(mona.GrantedAt) + " | " + report.Escape(mona.RevokedAt) + " | expired |",
		"#### Break-glass review overdue (1)",
		"| jit\\_elevation\\.dave | dave's break\\-glass elevation",
	} {
		if !strings.Contains(issue[0].Body, want) {
			t.Errorf("audit-log entry lacks %q:\n%s", want, issue[0].Body)
		}
	}

	// Every grant with its approvers and pull request.
	res := w.gate(t, nil, "audit", "--state", state2, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
	if res.code != exitPass || err != nil || len(rows) != 4 || !slices.Equal(rows[0], audit.CSVHeader) {
		t.Fatalf("audit csv: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	for _, row := range rows[1:] {
		if row[11] != "1" || row[12] != "bob" || row[10] != merge || row[8] != "INC-4711" {
			t.Errorf("csv row %q: want pr 1, approvers bob, commit %s", row, merge)
		}
	}

	// Who held oncall: a window from mona's revocation on leaves her out,
	// one ending at her grant is empty, one around it has all three.
	window := func(since, until string) []string {
		t.Helper()
		res := w.gate(t, map[string]string{"GITHUB_TOKEN": ""}, "audit", "--state", state2, "--scope", "github:team:acme/oncall", "--since", since, "--until", until, "--format", "json")
		var doc struct {
			Grants []struct {
				Principal string `json:"principal"`
			}
		}
		if err := json.Unmarshal([]byte(res.stdout), &doc); res.code != exitPass || err != nil {
			t.Fatalf("audit json: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
		}
		var who []string
		for _, g := range doc.Grants {
			who = append(who, g.Principal)
		}
		slices.Sort(who)
		return who
	}
	var first, last time.Time // of the three grants, made by one apply
	for _, g := range after {
		at, _ := time.Parse(time.RFC3339, g.GrantedAt)
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	revokedAt, _ := time.Parse(time.RFC3339, mona.RevokedAt)
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	for _, tc := range []struct {
		since, until time.Time
		want         []string
	}{
		{revokedAt, revokedAt.Add(time.Hour), []string{"carol", "dave"}},
		{first.Add(-time.Hour), first, nil},
		{first.Add(-time.Hour), last.Add(time.Second), []string{"carol", "dave", "mona"}},
		{revokedAt.Add(-time.Second), revokedAt, []string{"carol", "dave", "mona"}},
	} {
		if got := window(stamp(tc.since), stamp(tc.until)); !slices.Equal(got, tc.want) {
			t.Errorf("held in [%s, %s): %v, want %v", stamp(tc.since), stamp(tc.until), got, tc.want)
		}
	}

	// Untouched, the comments verify; edited by hand, or forged, they do not.
	if res := w.gate(t, nil, "audit", "--verify", "--state", state2); res.code != exitPass || !strings.Contains(res.stdout, "no tampering found") ||
		!strings.Contains(res.stdout, "Checked: #2, #1 · Gate comments: 2") {
		t.Fatalf("verify: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	w.gh.EditCommentAsUser(entry.ID, "lead", strings.Replace(entry.Body, "| bob |", "| bob, lead |", 1))
	w.gh.AddComment("acme", "infra", pr, "mallory", comments[0].Body)
	res = w.gate(t, nil, "audit", "--verify", "--state", state2, "--format", "json")
	var v audit.Verification
	if err := json.Unmarshal([]byte(res.stdout), &v); res.code != exitBlocked || err != nil {
		t.Fatalf("verify after tampering: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	var problems []string
	for _, f := range v.Findings {
		problems = append(problems, fmt.Sprintf("#%d %s %s", f.Number, f.Author, f.Problem))
	}
	if want := []string{"#1 gatekeeper edited", "#1 mallory foreign"}; !slices.Equal(problems, want) {
		t.Errorf("findings %q, want %q", problems, want)
	}
	// The edited entry no longer vouches for the approvers.
	res = w.gate(t, nil, "audit", "--state", state2, "--format", "csv", "--principal", "carol")
	if rows, _ := csv.NewReader(strings.NewReader(res.stdout)).ReadAll(); len(rows) != 2 || rows[1][12] != "" {
		t.Errorf("audit after the edit: %q", rows)
	}
}
